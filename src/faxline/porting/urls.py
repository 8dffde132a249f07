"""Number Porting pages: the customer's requests, their files and LOA, the porting desk."""

from faxline.porting.customer_urls import urlpatterns as customer
from faxline.porting.desk_urls import urlpatterns as desk
from faxline.porting.document_urls import urlpatterns as documents

app_name = "porting"

urlpatterns = [*desk, *documents, *customer]
