"""Tests for the Huawei Cloud SIS integration."""
