"""The SMTP gateway: email to fax (``<fax number>@<fax domain>``)."""
