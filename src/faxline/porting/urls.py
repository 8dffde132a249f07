"""Number Porting pages: the customer's requests, their files and LOA, the porting desk."""

from faxline.porting.desk.urls import urlpatterns as desk
from faxline.porting.files.urls import urlpatterns as documents
from faxline.porting.portal.urls import urlpatterns as customer

app_name = "porting"

urlpatterns = [*desk, *documents, *customer]
