from django.apps import AppConfig


class NumbersConfig(AppConfig):
    name = "faxline.numbers"
    label = "numbers"
    verbose_name = "Fax numbers"
