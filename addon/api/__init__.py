"""The /api blueprint: parse, authorize, call the domain in addon.skills, shape JSON."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
