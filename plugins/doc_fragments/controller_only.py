# -*- coding: utf-8 -*-
# Copyright: tridc.ovn contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Attributes shared by the action plugins that compute on the controller and change nothing (plan, host_views)."""

from __future__ import annotations


class ModuleDocFragment(object):  # pylint: disable=too-few-public-methods
    """Check mode, diff mode and platform of a controller-only computation."""

    DOCUMENTATION = r'''
attributes:
  check_mode:
    support: full
    description: It computes the same way in check mode; nothing is changed anywhere.
  diff_mode:
    support: none
    description: Nothing is changed, so there is nothing to diff.
  platform:
    support: full
    platforms: all
    description: Runs on the controller only.
'''
