"""The fixed strings of every mail template: one small translation table per template.

This is the only translation mechanism of the mail templates. A template looks a key up in its
own table, then in its parent's, then in "base" (see `CHAINS`). Placeholders use `str.format`
names; values are filled in after lookup and never parsed as format strings themselves, so
user text with braces is harmless. Every key has all four languages (a test checks this).
"""

from __future__ import annotations

Table = dict[str, dict[str, str]]

BASE: Table = {
    "view_online": {
        "nl": "Bekijk dit bericht online",
        "fr": "Voir ce message en ligne",
        "en": "View this message online",
        "de": "Diese Nachricht online ansehen",
    },
    "why": {
        "nl": "U ontvangt dit bericht als medewerker van de persdienst van {organisation}.",
        "fr": "Vous recevez ce message en tant que membre du service de presse de {organisation}.",
        "en": "You receive this message as a member of the press office of {organisation}.",
        "de": "Sie erhalten diese Nachricht als Mitglied der Pressestelle von {organisation}.",
    },
    "why_bulk": {
        "nl": "U ontvangt dit bericht omdat {email} ingeschreven is voor de berichten van {organisation}.",
        "fr": "Vous recevez ce message parce que {email} est inscrit aux communiqués de {organisation}.",
        "en": "You receive this message because {email} is subscribed to releases from {organisation}.",
        "de": "Sie erhalten diese Nachricht, weil {email} die Mitteilungen von {organisation} abonniert hat.",
    },
    "unsubscribe": {
        "nl": "Uitschrijven",
        "fr": "Se désinscrire",
        "en": "Unsubscribe",
        "de": "Abbestellen",
    },
    "preferences": {
        "nl": "Voorkeuren aanpassen",
        "fr": "Gérer vos préférences",
        "en": "Manage preferences",
        "de": "Einstellungen verwalten",
    },
    # The organisation's phone in every footer, and a contact's under a release.
    "phone": {"nl": "Tel.", "fr": "Tél.", "en": "Tel.", "de": "Tel."},
    # French puts a (narrow) space before a colon; the templates write t("colon") after labels.
    "colon": {"nl": ":", "fr": "\u00a0:", "en": ":", "de": ":"},
    "greeting": {
        "nl": "Beste {name},",
        "fr": "Bonjour {name},",
        "en": "Dear {name},",
        "de": "Guten Tag {name},",
    },
    # editor
    # Before the subject of a test mail (a release sent to staff before it is published).
    "test_marker": {"nl": "[TEST]", "fr": "[ESSAI]", "en": "[TEST]", "de": "[TEST]"},
}

PRESS_RELEASE: Table = {
    "kind_press_release": {
        "nl": "Persbericht",
        "fr": "Communiqué de presse",
        "en": "Press release",
        "de": "Pressemitteilung",
    },
    "kind_annual_report": {
        "nl": "Jaarverslag",
        "fr": "Rapport annuel",
        "en": "Annual report",
        "de": "Jahresbericht",
    },
    "kind_event": {
        "nl": "Uitnodiging voor de pers",
        "fr": "Invitation à la presse",
        "en": "Press invitation",
        "de": "Presseeinladung",
    },
    "kind_statement": {
        "nl": "Verklaring",
        "fr": "Déclaration",
        "en": "Statement",
        "de": "Erklärung",
    },
    "embargo": {
        "nl": "EMBARGO tot {when}",
        "fr": "EMBARGO jusqu'au {when}",
        "en": "EMBARGO until {when}",
        "de": "SPERRFRIST bis {when}",
    },
    "subject_embargo": {
        "nl": "EMBARGO tot {when}: {title}",
        "fr": "EMBARGO jusqu'au {when} : {title}",
        "en": "EMBARGO until {when}: {title}",
        "de": "SPERRFRIST bis {when}: {title}",
    },
    "links": {
        "nl": "Meer informatie",
        "fr": "Plus d'informations",
        "en": "More information",
        "de": "Weitere Informationen",
    },
    "other_languages": {
        "nl": "Dit bericht in andere talen",
        "fr": "Ce communiqué dans d'autres langues",
        "en": "This release in other languages",
        "de": "Diese Mitteilung in anderen Sprachen",
    },
    "contacts": {
        "nl": "Contact voor de pers",
        "fr": "Contact presse",
        "en": "Press contact",
        "de": "Pressekontakt",
    },
    "mobile": {"nl": "Gsm", "fr": "GSM", "en": "Mobile", "de": "Mobil"},
    "email": {"nl": "E-mail", "fr": "E-mail", "en": "Email", "de": "E-Mail"},
}

ANNUAL_REPORT: Table = {
    "documents": {
        "nl": "Documenten",
        "fr": "Documents",
        "en": "Documents",
        "de": "Dokumente",
    },
}

DIGEST: Table = {
    "subject_daily": {
        "nl": "{organisation}: berichten van {date}",
        "fr": "{organisation} : communiqués du {date}",
        "en": "{organisation}: releases of {date}",
        "de": "{organisation}: Mitteilungen vom {date}",
    },
    "subject_weekly": {
        "nl": "{organisation}: berichten van de week van {date}",
        "fr": "{organisation} : communiqués de la semaine du {date}",
        "en": "{organisation}: releases of the week of {date}",
        "de": "{organisation}: Mitteilungen der Woche vom {date}",
    },
    "heading_daily": {
        "nl": "Dagelijks overzicht van {date}",
        "fr": "Résumé quotidien du {date}",
        "en": "Daily digest of {date}",
        "de": "Tägliche Übersicht vom {date}",
    },
    "heading_weekly": {
        "nl": "Wekelijks overzicht, week van {date}",
        "fr": "Résumé hebdomadaire, semaine du {date}",
        "en": "Weekly digest, week of {date}",
        "de": "Wöchentliche Übersicht, Woche vom {date}",
    },
    "read_more": {
        "nl": "Lees het volledige bericht",
        "fr": "Lire le communiqué complet",
        "en": "Read the full release",
        "de": "Ganze Mitteilung lesen",
    },
    "empty": {
        "nl": "Geen nieuwe berichten.",
        "fr": "Aucun nouveau communiqué.",
        "en": "No new releases.",
        "de": "Keine neuen Mitteilungen.",
    },
}

CONFIRM_SUBSCRIPTION: Table = {
    "subject": {
        "nl": "Bevestig uw inschrijving bij {organisation}",
        "fr": "Confirmez votre inscription auprès de {organisation}",
        "en": "Confirm your subscription to {organisation}",
        "de": "Bestätigen Sie Ihr Abonnement bei {organisation}",
    },
    "intro": {
        "nl": "U vroeg om berichten van {organisation} te ontvangen over: {lists}.",
        "fr": "Vous avez demandé à recevoir les communiqués de {organisation} sur : {lists}.",
        "en": "You asked to receive releases from {organisation} about: {lists}.",
        "de": "Sie möchten Mitteilungen von {organisation} zu folgenden Themen erhalten: {lists}.",
    },
    "button": {
        "nl": "Inschrijving bevestigen",
        "fr": "Confirmer l'inscription",
        "en": "Confirm subscription",
        "de": "Abonnement bestätigen",
    },
    "ignore": {
        "nl": "Vroeg u dit niet? Dan hoeft u niets te doen: zonder bevestiging sturen we u niets.",
        "fr": "Vous n'avez rien demandé ? Ne faites rien : sans confirmation, nous ne vous envoyons rien.",
        "en": "Did not ask for this? Then do nothing: without confirmation we send you nothing.",
        "de": "Nicht angefragt? Dann tun Sie nichts: ohne Bestätigung senden wir Ihnen nichts.",
    },
    "why": {
        "nl": "U ontvangt dit bericht omdat {email} werd opgegeven op de website van {organisation}.",
        "fr": "Vous recevez ce message parce que {email} a été saisi sur le site de {organisation}.",
        "en": "You receive this message because {email} was entered on the website of {organisation}.",
        "de": "Sie erhalten diese Nachricht, weil {email} auf der Website von {organisation} angegeben wurde.",
    },
}

ALREADY_SUBSCRIBED: Table = {
    "subject": {
        "nl": "U bent al ingeschreven bij {organisation}",
        "fr": "Vous êtes déjà inscrit auprès de {organisation}",
        "en": "You are already subscribed to {organisation}",
        "de": "Sie haben {organisation} bereits abonniert",
    },
    "intro": {
        "nl": "Iemand vroeg om berichten van {organisation} over: {lists}. Uw adres ontvangt die al.",
        "fr": "Quelqu'un a demandé à recevoir les communiqués de {organisation} sur : {lists}. "
              "Votre adresse les reçoit déjà.",
        "en": "Someone asked to receive releases from {organisation} about: {lists}. "
              "Your address already receives them.",
        "de": "Jemand möchte Mitteilungen von {organisation} zu folgenden Themen erhalten: {lists}. "
              "Ihre Adresse erhält sie bereits.",
    },
    "button": {
        "nl": "Voorkeuren beheren",
        "fr": "Gérer mes préférences",
        "en": "Manage preferences",
        "de": "Einstellungen verwalten",
    },
    "ignore": {
        "nl": "Was u dat niet? Dan hoeft u niets te doen: er verandert niets.",
        "fr": "Ce n'était pas vous ? Ne faites rien : rien ne change.",
        "en": "Was it not you? Then do nothing: nothing changes.",
        "de": "Waren Sie das nicht? Dann tun Sie nichts: es ändert sich nichts.",
    },
    "why": CONFIRM_SUBSCRIPTION["why"],
}

REVIEW_REQUEST: Table = {
    "subject": {
        "nl": "Ter goedkeuring: {title}",
        "fr": "À approuver : {title}",
        "en": "For review: {title}",
        "de": "Zur Freigabe: {title}",
    },
    "intro": {
        "nl": "{author} vraagt u dit bericht na te lezen en goed te keuren:",
        "fr": "{author} vous demande de relire et d'approuver ce communiqué :",
        "en": "{author} asks you to review and approve this release:",
        "de": "{author} bittet Sie, diese Mitteilung zu prüfen und freizugeben:",
    },
    "button": {
        "nl": "Bericht nalezen",
        "fr": "Relire le communiqué",
        "en": "Review the release",
        "de": "Mitteilung prüfen",
    },
    "audience": {"nl": "Ontvangers", "fr": "Destinataires", "en": "Audience", "de": "Empfänger"},
    "recipients": {
        "nl": "{count} ontvangers: {lists}",
        "fr": "{count} destinataires : {lists}",
        "en": "{count} recipients: {lists}",
        "de": "{count} Empfänger: {lists}",
    },
    "by_language": {"nl": "per taal: {languages}", "fr": "par langue : {languages}",
                    "en": "by language: {languages}", "de": "nach Sprache: {languages}"},
    "held": {
        "nl": "{count} ervan krijgen het pas wanneer het embargo afloopt ({when})",
        "fr": "dont {count} le recevront à la levée de l'embargo ({when})",
        "en": "{count} of them get it only when the embargo lifts ({when})",
        "de": "{count} davon erhalten sie erst nach Ablauf der Sperrfrist ({when})",
    },
    "web_only": {
        "nl": "Alleen op de nieuwskamer: naar niemand gemaild.",
        "fr": "Uniquement sur la salle de presse : envoyé à personne.",
        "en": "Newsroom only: mailed to nobody.",
        "de": "Nur im Newsroom: an niemanden versandt.",
    },
}

CHANGES_REQUESTED: Table = {
    "subject": {
        "nl": "Aanpassingen gevraagd: {title}",
        "fr": "Modifications demandées : {title}",
        "en": "Changes requested: {title}",
        "de": "Änderungen erbeten: {title}",
    },
    "intro": {
        "nl": "{reviewer} vraagt aanpassingen aan uw bericht:",
        "fr": "{reviewer} demande des modifications à votre communiqué :",
        "en": "{reviewer} asks for changes to your release:",
        "de": "{reviewer} bittet um Änderungen an Ihrer Mitteilung:",
    },
    "button": {
        "nl": "Bericht bewerken",
        "fr": "Modifier le communiqué",
        "en": "Edit the release",
        "de": "Mitteilung bearbeiten",
    },
}

PUBLISHED_RECEIPT: Table = {
    "subject": {
        "nl": "Gepubliceerd: {title}",
        "fr": "Publié : {title}",
        "en": "Published: {title}",
        "de": "Veröffentlicht: {title}",
    },
    "intro": {
        "nl": "Uw bericht werd gepubliceerd op {when}.",
        "fr": "Votre communiqué a été publié le {when}.",
        "en": "Your release was published on {when}.",
        "de": "Ihre Mitteilung wurde am {when} veröffentlicht.",
    },
    "languages": {
        "nl": "Talen: {languages}",
        "fr": "Langues : {languages}",
        "en": "Languages: {languages}",
        "de": "Sprachen: {languages}",
    },
    "button": {
        "nl": "Bericht bekijken",
        "fr": "Voir le communiqué",
        "en": "View the release",
        "de": "Mitteilung ansehen",
    },
}

MAILING_PROBLEM: Table = {
    "subject": {
        "nl": "Verzending mislukt: {title}",
        "fr": "Envoi en échec : {title}",
        "en": "Mailing failed: {title}",
        "de": "Versand fehlgeschlagen: {title}",
    },
    "failed": {
        "nl": "Van de {total} berichten werden er {failed} niet afgeleverd ({sent} wel).",
        "fr": "Sur {total} messages, {failed} n'ont pas été remis ({sent} l'ont été).",
        "en": "Of {total} messages, {failed} could not be delivered ({sent} were).",
        "de": "Von {total} Nachrichten konnten {failed} nicht zugestellt werden ({sent} schon).",
    },
    "nobody": {
        "nl": "Dit bericht werd naar niemand gemaild: de lijsten hadden geen bevestigde abonnees die erbij passen.",
        "fr": "Ce communiqué n'a été envoyé à personne : les listes n'avaient aucun abonné confirmé correspondant.",
        "en": "This release was mailed to nobody: its lists had no confirmed subscriber it matched.",
        "de": "Diese Mitteilung wurde an niemanden versandt: die Listen hatten keine passenden bestätigten "
              "Abonnenten.",
    },
    "not_started": {
        "nl": "De verzending kon niet starten: {reason}",
        "fr": "L'envoi n'a pas pu commencer : {reason}",
        "en": "The mailing could not start: {reason}",
        "de": "Der Versand konnte nicht beginnen: {reason}",
    },
    "button": {
        "nl": "Verzending bekijken",
        "fr": "Voir l'envoi",
        "en": "View the mailing",
        "de": "Versand ansehen",
    },
}

WITHDRAWAL_NOTICE: Table = {
    "subject": {
        "nl": "Ingetrokken: {title}",
        "fr": "Retiré : {title}",
        "en": "Withdrawn: {title}",
        "de": "Zurückgezogen: {title}",
    },
    "intro": {
        "nl": "Het volgende bericht van {date} werd ingetrokken:",
        "fr": "Le communiqué suivant du {date} a été retiré :",
        "en": "The following release of {date} has been withdrawn:",
        "de": "Die folgende Mitteilung vom {date} wurde zurückgezogen:",
    },
    "reason": {"nl": "Reden", "fr": "Motif", "en": "Reason", "de": "Grund"},
    "disregard": {
        "nl": "Gelieve er geen rekening mee te houden.",
        "fr": "Nous vous prions de ne pas en tenir compte.",
        "en": "Please disregard it.",
        "de": "Bitte betrachten Sie sie als gegenstandslos.",
    },
    "withdrawn_at": {
        "nl": "Ingetrokken op {when}.",
        "fr": "Retiré le {when}.",
        "en": "Withdrawn on {when}.",
        "de": "Zurückgezogen am {when}.",
    },
}

_VALID: Table = {
    "valid_days": {
        "nl": "Deze link werkt één keer en blijft {days} dagen geldig.",
        "fr": "Ce lien ne fonctionne qu'une fois et reste valable {days} jours.",
        "en": "This link works once and stays valid for {days} days.",
        "de": "Dieser Link funktioniert einmal und bleibt {days} Tage gültig.",
    },
    "valid_hours": {
        "nl": "Deze link werkt één keer en blijft {hours} uur geldig.",
        "fr": "Ce lien ne fonctionne qu'une fois et reste valable {hours} heures.",
        "en": "This link works once and stays valid for {hours} hours.",
        "de": "Dieser Link funktioniert einmal und bleibt {hours} Stunden gültig.",
    },
    "valid_one_hour": {
        "nl": "Deze link werkt één keer en blijft een uur geldig.",
        "fr": "Ce lien ne fonctionne qu'une fois et reste valable une heure.",
        "en": "This link works once and stays valid for one hour.",
        "de": "Dieser Link funktioniert einmal und bleibt eine Stunde gültig.",
    },
}

INVITATION: Table = {
    "subject": {
        "nl": "Uw uitnodiging voor de persdienst van {organisation}",
        "fr": "Votre invitation au service de presse de {organisation}",
        "en": "Your invitation to the press office of {organisation}",
        "de": "Ihre Einladung in die Pressestelle von {organisation}",
    },
    "intro": {
        "nl": "U krijgt toegang tot Pressroom, waarmee de persdienst van {organisation} haar berichten "
              "schrijft, laat goedkeuren en verstuurt. Kies eerst een wachtwoord.",
        "fr": "Vous avez accès à Pressroom, où le service de presse de {organisation} rédige, fait "
              "approuver et envoie ses communiqués. Choisissez d'abord un mot de passe.",
        "en": "You have been given access to Pressroom, where the press office of {organisation} writes, "
              "approves and sends its releases. First choose a password.",
        "de": "Sie erhalten Zugang zu Pressroom, wo die Pressestelle von {organisation} ihre Mitteilungen "
              "schreibt, freigibt und versendet. Wählen Sie zuerst ein Passwort.",
    },
    "button": {
        "nl": "Wachtwoord kiezen",
        "fr": "Choisir un mot de passe",
        "en": "Choose a password",
        "de": "Passwort wählen",
    },
    **_VALID,
}

PASSWORD_RESET: Table = {
    "subject": {
        "nl": "Nieuw wachtwoord voor de persdienst van {organisation}",
        "fr": "Nouveau mot de passe pour le service de presse de {organisation}",
        "en": "New password for the press office of {organisation}",
        "de": "Neues Passwort für die Pressestelle von {organisation}",
    },
    "intro": {
        "nl": "Iemand vroeg een nieuw wachtwoord voor uw account bij de persdienst van {organisation}.",
        "fr": "Quelqu'un a demandé un nouveau mot de passe pour votre compte au service de presse de "
              "{organisation}.",
        "en": "Someone asked for a new password for your account at the press office of {organisation}.",
        "de": "Jemand hat ein neues Passwort für Ihr Konto bei der Pressestelle von {organisation} "
              "angefordert.",
    },
    "button": {
        "nl": "Nieuw wachtwoord kiezen",
        "fr": "Choisir un nouveau mot de passe",
        "en": "Choose a new password",
        "de": "Neues Passwort wählen",
    },
    "ignore": {
        "nl": "Vroeg u dit niet? Dan hoeft u niets te doen: uw wachtwoord blijft hetzelfde.",
        "fr": "Vous n'avez rien demandé ? Ne faites rien : votre mot de passe ne change pas.",
        "en": "Did not ask for this? Then do nothing: your password stays the same.",
        "de": "Nicht angefordert? Dann tun Sie nichts: Ihr Passwort bleibt unverändert.",
    },
    **_VALID,
}

TABLES: dict[str, Table] = {
    "base": BASE,
    "press_release": PRESS_RELEASE,
    "annual_report": ANNUAL_REPORT,
    "digest": DIGEST,
    "confirm_subscription": CONFIRM_SUBSCRIPTION,
    "already_subscribed": ALREADY_SUBSCRIBED,
    "review_request": REVIEW_REQUEST,
    "changes_requested": CHANGES_REQUESTED,
    "published_receipt": PUBLISHED_RECEIPT,
    "withdrawal_notice": WITHDRAWAL_NOTICE,
    "mailing_problem": MAILING_PROBLEM,
    "invitation": INVITATION,
    "password_reset": PASSWORD_RESET,
}

# Where a template looks for a key, in order; templates not listed use (name, "base").
CHAINS: dict[str, tuple[str, ...]] = {
    "annual_report": ("annual_report", "press_release", "base"),
}


def chain(template: str) -> tuple[str, ...]:
    """The tables `template` reads its strings from, nearest first."""
    return CHAINS.get(template, (template, "base"))
