"""The public verification page: anyone holding a sealed agreement checks that it is one of ours and intact."""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.uploads import read_pdf_upload
from members.models import Agreement
from members.sealing import signed_original, verify_seal


class VerifyForm(forms.Form):
    document = forms.FileField(label=_("Sealed agreement (PDF)"))

    def clean_document(self) -> bytes:
        return read_pdf_upload(self.cleaned_data["document"])


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Match the upload's SHA-256 to a stored sealed agreement and validate its seal; show only what the
    document itself says: the agreement, who signed when and with which authority, the seal's result and level, its
    timestamp, and whether the signed original embedded in it is the one the signatures were made on."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["document"]
        digest = hashlib.sha256(data).hexdigest()
        agreement = Agreement.objects.select_related("organisation", "template").filter(sealed_sha256=digest).first()
        context["checked"] = True
        context["sha256"] = digest
        if agreement is not None:
            context["agreement"] = agreement
            context["signatures"] = list(agreement.signatures.order_by("signed_at"))
            context["seal"] = verify_seal(data, trust_roots=[settings.SEAL_TRUST_ROOT_PATH])
            original = signed_original(data)
            if original is not None:
                context["original_sha256"] = hashlib.sha256(original).hexdigest()
                context["original_matches"] = context["original_sha256"] == agreement.document_sha256
    return render(request, "members/verify.html", context)
