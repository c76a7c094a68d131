"""The monthly bulletin: narrative idioms, disclosure control, Typst rendering."""

from doorstep.bulletin.context import BulletinContext
from doorstep.bulletin.render import render_bulletin

__all__ = ["BulletinContext", "render_bulletin"]
