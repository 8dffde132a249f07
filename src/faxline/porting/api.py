"""REST API of the porting desk (being written)."""

from ninja import Router

router = Router(tags=["Number Porting"])
