"""Make the collection importable as ansible_collections.tridc.ovn for the tests."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLL = os.path.join(ROOT, ".build", "collections")
link = os.path.join(COLL, "ansible_collections", "tridc", "ovn")
if not os.path.exists(link):
    os.makedirs(os.path.dirname(link), exist_ok=True)
    os.symlink(ROOT, link)
if COLL not in sys.path:
    sys.path.insert(0, COLL)
sys.path.insert(0, os.path.join(ROOT, "tests", "unit"))
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", COLL)
