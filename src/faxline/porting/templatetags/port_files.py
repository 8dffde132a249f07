"""The Files tab's data for ``porting/files_tab.html``: the typed document list, the LOA
status and what the acting person may do. The include only receives ``request`` (the port
request) and ``actor``; this tag reads the rest through the porting modules."""

from __future__ import annotations

from typing import Any

from django import template

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.porting.files.views import files_context
from faxline.porting.models import PortRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def port_files(context: template.Context) -> dict[str, Any]:
    """``{% port_files as files %}``: the Files tab of the request in the context."""
    port = context.get("request")
    if not isinstance(port, PortRequest):
        port = context.get("port")
    actor = context.get("actor")
    if not isinstance(actor, Actor):
        user = context.get("user")
        actor = Actor(user=user) if isinstance(user, User) else None
    if not isinstance(port, PortRequest) or actor is None:
        return {}
    return files_context(
        actor,
        port,
        form=context.get("files_upload_form"),
        send_form=context.get("files_send_form"),
    )
