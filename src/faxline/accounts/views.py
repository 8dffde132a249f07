"""Account Administration: the tree and the actions on its nodes. (Being written.)"""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: int) -> HttpResponse:
    return HttpResponse("Not yet", status=501)


tree = company_add = department_add = user_add = users_bulk = _todo
department_delete = user_lock = user_unlock = user_delete = _todo
