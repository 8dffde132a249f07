"""The portal toolkit: what every app's portal views share.

- :mod:`.errors`: the one rule that turns a domain error into a page (:func:`portal_view`),
  :func:`apply_domain_error` to show a refusal next to the field it names
  (:func:`error_field`) and :func:`form_status`, the status of such a page;
- :mod:`.htmx`: is this an htmx request, which element it swaps, a fragment or the page,
  a redirect htmx follows;
- :mod:`.wizard`: the wizard engine (:class:`Wizard`, :class:`StepsForm`);
- :mod:`.paging`: one page of a table, its page links and Row Count choices
  (:func:`paginate_table`, rendered by ``portal/_paging.html``);
- :mod:`.charts`: server-side SVG charts (:func:`~.charts.line_chart`,
  :func:`~.charts.bar_chart`), accessible and within the Content-Security-Policy.

It knows no domain app: it imports only :mod:`faxline.core` and Django.
"""

from faxline.portal.toolkit.errors import (
    apply_domain_error,
    error_field,
    form_status,
    portal_view,
    refused,
)
from faxline.portal.toolkit.htmx import (
    current_page,
    is_htmx,
    on_this_site,
    page_redirect,
    render_page,
    swap_target,
)
from faxline.portal.toolkit.paging import TablePage, paginate_table
from faxline.portal.toolkit.wizard import StepsForm, Wizard, WizardStep

__all__ = [
    "StepsForm",
    "TablePage",
    "Wizard",
    "WizardStep",
    "apply_domain_error",
    "current_page",
    "error_field",
    "form_status",
    "is_htmx",
    "on_this_site",
    "page_redirect",
    "paginate_table",
    "portal_view",
    "refused",
    "render_page",
    "swap_target",
]
