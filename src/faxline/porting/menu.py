"""Porting's entries in the Settings menu: Number Porting for those who may see port
requests, the Porting Desk for the provider's porting team."""

from __future__ import annotations

from faxline.portal.menu import SETTINGS, MenuEntry, in_app, on_views
from faxline.porting.access import may_use_desk, may_use_porting
from faxline.porting.desk.urls import urlpatterns as desk_urls

DESK_VIEWS = [f"porting:{pattern.name}" for pattern in desk_urls if pattern.name]

ENTRIES = (
    MenuEntry(
        menu=SETTINGS,
        label="Number Porting",
        url_name="porting:list",
        order=50,
        shown_to=may_use_porting,
        current=in_app("porting", except_views=DESK_VIEWS),
    ),
    MenuEntry(
        menu=SETTINGS,
        label="Porting Desk",
        url_name="porting:console",
        order=60,
        shown_to=may_use_desk,
        current=on_views(*DESK_VIEWS),
    ),
)
