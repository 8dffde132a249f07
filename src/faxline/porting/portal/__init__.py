"""Number Porting in the portal, the customer side: the Port Requests list, the
+ New Port Request wizard and a request's pages."""
