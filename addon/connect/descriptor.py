"""The Connect descriptor: atlassian-connect.json beside this module, with baseUrl, key and vendor from config."""
from __future__ import annotations

import copy
import json
import os
from typing import Any

from flask import Blueprint, Response, jsonify

from .auth import connect_front

bp = Blueprint("descriptor", __name__)

DESCRIPTOR_FILE = os.path.join(os.path.dirname(__file__), "atlassian-connect.json")


def build(base_url: str, key: str, vendor_name: str, vendor_url: str, path: str = DESCRIPTOR_FILE) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        descriptor = json.load(fh)
    descriptor = copy.deepcopy(descriptor)
    descriptor["baseUrl"] = base_url
    descriptor["key"] = key
    descriptor["vendor"] = {"name": vendor_name, "url": vendor_url}
    return descriptor


@bp.get("/atlassian-connect.json")
def descriptor() -> Response:
    response = jsonify(connect_front().descriptor)
    response.headers["Cache-Control"] = "no-cache"
    return response
