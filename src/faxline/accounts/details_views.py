"""Company, Department, User Account and Administrator Details pages. (Being written.)"""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: int) -> HttpResponse:
    return HttpResponse("Not yet", status=501)


company_details = administrator_add = department_details = _todo
user_details = administrator_details = _todo
