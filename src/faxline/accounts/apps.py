from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "faxline.accounts"
    label = "accounts"
    verbose_name = "Accounts and hierarchy"
