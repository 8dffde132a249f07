"""Account Administration in the portal, one module per page of the guide:

- ``tree``: Settings ▸ Account Administration, the tree and its actions menu (Lock User,
  Unlock User Account, Delete User Account, Delete Department);
- ``company_add``: Add Company; ``department_add``: Add Department;
  ``user_add``: Add User Account; ``administrator_add``: Add Administrator;
  ``bulk_create``: Bulk Create of user accounts;
- ``details``: Company, Department, User Account and Administrator Details with their tabs;
- ``partners``: Channel Partners (operators);
- ``auth``: sign in and out, Forgot Password, change password, API keys, the audit log.

Every read goes through ``accounts.selectors`` and every write through
``accounts.services`` (which enforce the rights); the pages only hide what the acting
person cannot do, and ``faxline.portal.toolkit`` turns the services' refusals into pages.
"""
