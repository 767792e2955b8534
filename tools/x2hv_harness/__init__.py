# SPDX-License-Identifier: MIT
"""x2hv emulator test harness (tools/harness.py is its command line)."""
