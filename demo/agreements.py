"""Demo agreements: the 2025-2028 cooperation agreement, completed (sealed) for some members, pending for
Masfjorden (whose demo director can sign it), and declined by one."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from demo.members import DEMO_PASSWORD
from members import agreements
from members.choices import AgreementStatus, SignatureParty
from members.models import Agreement, AgreementTemplate, Organisation, Signature, User
from members.sealing import create_development_certificate

BODY = """§ 1 Formål
Partene samarbeider i DigiVestland om digitalisering av kommunale tjenester, slik at små og store kommuner
kan ta i bruk nasjonale løsninger, dele kompetanse, gjennomføre felles prosjekter og anskaffelser og tale
med én stemme overfor KS og staten.

§ 2 Partenes plikter
Hver part arbeider for formålet, bærer egne interne kostnader, bidrar med personer til felles arenaer og
prosjekter, og kan ta rollen som prosjekteier for regionale prosjekter.

§ 3 Finansiering
Grunnfinansieringen dekkes av årlige medlemsbidrag etter bidragsmodellen i vedlegg 1. Vertskommunen
stiller sekretariat, kontor og egeninnsats og betaler ikke medlemsbidrag.

§ 4 Varighet og oppsigelse
Avtalen gjelder fra 1. januar 2025 til 31. desember 2028. En part kan si opp avtalen med seks måneders
varsel; medlemskapet opphører ved utgangen av måneden oppsigelsestiden løper ut.
"""
COMPLETED = ["4631", "4627", "4602", "4621", "4640"]  # Alver, Askøy, Kinn, Voss, Sogndal
DECLINED = "4636"  # Solund
PENDING = "4634"  # Masfjorden: the demo director signs in the browser


def _seal_certificate() -> None:
    certificate = Path(settings.SEAL_CERTIFICATE_PATH)
    if certificate.exists():
        return
    default = Path(settings.BASE_DIR) / "var" / "seal"
    if certificate.parent != default:
        raise FileNotFoundError(f"SEAL_CERTIFICATE_PATH {certificate} does not exist")
    create_development_certificate(directory=default)


def _director(organisation: Organisation) -> User:
    user = User.objects.filter(organisation=organisation, is_director=True).first()
    if user is None:
        user = User(
            username=f"direktor.{organisation.number}",
            first_name="Kommunedirektør",
            last_name=organisation.name,
            organisation=organisation,
            is_director=True,
            email=f"direktor.{organisation.number}@demo.invalid",
            job_title="Kommunedirektør",
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def load_demo() -> None:
    _seal_certificate()
    if AgreementTemplate.objects.filter(title="Samarbeidsavtale DigiVestland 2025–2028").exists():
        return
    template = AgreementTemplate.objects.create(
        title="Samarbeidsavtale DigiVestland 2025–2028",
        version=1,
        period_start=date(2025, 1, 1),
        period_end=date(2028, 12, 31),
        body=BODY,
        notice_months=6,
        funding_appendix="Bidragsmodellen vedtatt av styringsgruppen for hvert budsjettår (fast grunnbeløp og kroner "
        "per innbygger, med tak; vertskommunen er fritatt).",
        organisation_appendix="Årsmøte, styringsgruppe, digitaliseringsutvalg, faggrupper og sekretariat.",
    )
    template = agreements.agreement_template_publish(template=template)
    secretariat = User.objects.get(username="sekretariat")
    leader = User.objects.get(username="leder")
    expires = timezone.localdate() + timedelta(days=45)
    organisations = {o.number: o for o in Organisation.objects.filter(number__in=[*COMPLETED, DECLINED, PENDING])}
    for organisation in organisations.values():
        _director(organisation)
    invited = agreements.agreement_invite(
        template=template,
        organisations=list(organisations.values()),
        expires_on=expires,
        actor=agreements.Actor(user=secretariat, ip_address="127.0.0.1"),
    )
    for agreement in invited:
        number = agreement.organisation.number
        if number in COMPLETED:
            for party, user, body in (
                (SignatureParty.MEMBER, _director(agreement.organisation), "Kommunestyret"),
                (SignatureParty.NETWORK, leader, ""),
            ):
                Signature.objects.create(
                    agreement=agreement,
                    party=party,
                    user=user,
                    organisation=user.organisation,
                    role="Kommunedirektør" if party == SignatureParty.MEMBER else "Programleder",
                    signer_name=user.get_full_name(),
                    signed_at=timezone.now(),
                    ip_address="127.0.0.1",
                    user_agent="Demo",
                    document_sha256=agreement.document_sha256,
                    decision_body=body,
                    decision_case="45/2024" if body else "",
                    decision_date=date(2024, 12, 12) if body else None,
                )
                agreements._event(
                    agreement,
                    "signed" if party == SignatureParty.MEMBER else "countersigned",
                    agreements.Actor(user=user, ip_address="127.0.0.1"),
                    "Demo",
                )
            Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.SIGNED)
            agreements.agreement_complete(agreement=Agreement.objects.get(pk=agreement.pk))
        elif number == DECLINED:
            Agreement.objects.filter(pk=agreement.pk).update(
                status=AgreementStatus.DECLINED,
                declined_at=timezone.now(),
                decline_reason="Kommunestyret vedtok 10.12.2024 ikke å slutte seg til samarbeidet nå.",
            )
            agreements._event(agreement, "declined", None, "Demo")
