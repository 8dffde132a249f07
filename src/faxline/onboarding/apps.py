from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "faxline.onboarding"
    label = "onboarding"
    verbose_name = "Onboarding"
