"""Model fields for values people enter, bounded to what the portal can show and compute with.

The bounds are validation only (services call full_clean before every save) and change no column, so these
fields deconstruct as Django's own and need no migration.
"""

from django.db import models

from core import forms as core_forms
from core.validators import check_date_in_range, check_year_in_range


class DateField(models.DateField):
    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        check_date_in_range(value, self.verbose_name)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": core_forms.DateField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateField", args, kwargs


class DateTimeField(models.DateTimeField):
    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        check_date_in_range(value, self.verbose_name)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": core_forms.DateTimeField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DateTimeField", args, kwargs


class YearField(models.PositiveIntegerField):
    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        check_year_in_range(value, self.verbose_name)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": core_forms.YearField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.PositiveIntegerField", args, kwargs
