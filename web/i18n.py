"""The words of the web pages in Dutch, French and English: one table, like templates/strings.py
does for mail. Pages in another configured language (German) fall back to English.

A page calls `t(key, **values)`; placeholders use `str.format` names and are filled after lookup.
Every key has all three languages (a test checks this).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from core.settings import get_settings
from templates.i18n import zone_city

UI_LANGUAGES = ("nl", "fr", "en")
FALLBACK = "en"

STRINGS: dict[str, dict[str, str]] = {
    # chrome
    "press_office": {"nl": "Persdienst", "fr": "Service de presse", "en": "Press office"},
    "newsroom": {"nl": "Nieuwskamer", "fr": "Salle de presse", "en": "Newsroom"},
    "dashboard": {"nl": "Overzicht", "fr": "Tableau de bord", "en": "Dashboard"},
    "releases": {"nl": "Persberichten", "fr": "Communiqués", "en": "Releases"},
    "lists": {"nl": "Verzendlijsten", "fr": "Listes de diffusion", "en": "Mailing lists"},
    "distributions": {"nl": "Verzendingen", "fr": "Envois", "en": "Distributions"},
    "sign_in": {"nl": "Aanmelden", "fr": "Se connecter", "en": "Sign in"},
    "sign_out": {"nl": "Afmelden", "fr": "Se déconnecter", "en": "Sign out"},
    "email": {"nl": "E-mailadres", "fr": "Adresse e-mail", "en": "E-mail address"},
    "password": {"nl": "Wachtwoord", "fr": "Mot de passe", "en": "Password"},
    "bad_credentials": {"nl": "Onbekend e-mailadres of verkeerd wachtwoord.",
                        "fr": "Adresse inconnue ou mot de passe incorrect.",
                        "en": "Unknown e-mail address or wrong password."},
    "limiter_down": {"nl": "Aanmelden lukt even niet: de beveiliging tegen te veel pogingen werkt niet. "
                     "Probeer het zo opnieuw.",
                     "fr": "La connexion est momentanément indisponible : la protection contre les tentatives "
                     "répétées ne fonctionne pas. Réessayez dans un instant.",
                     "en": "Signing in is unavailable for a moment: the protection against repeated attempts is "
                     "not working. Please try again shortly."},
    "interface_language": {"nl": "Taal", "fr": "Langue", "en": "Language"},
    "save": {"nl": "Opslaan", "fr": "Enregistrer", "en": "Save"},
    "back": {"nl": "Terug", "fr": "Retour", "en": "Back"},
    "error": {"nl": "Fout", "fr": "Erreur", "en": "Error"},
    "error_page": {"nl": "Dat lukte niet", "fr": "Cela n'a pas fonctionné", "en": "That did not work"},
    "page_of": {"nl": "Pagina {page} van {pages}", "fr": "Page {page} sur {pages}", "en": "Page {page} of {pages}"},
    "previous": {"nl": "Vorige", "fr": "Précédente", "en": "Previous"},
    "next": {"nl": "Volgende", "fr": "Suivante", "en": "Next"},
    "none": {"nl": "Geen.", "fr": "Aucun.", "en": "None."},
    # dashboard
    "my_drafts": {"nl": "Mijn ontwerpen", "fr": "Mes brouillons", "en": "My drafts"},
    "awaiting_review": {"nl": "Wacht op mijn nazicht", "fr": "En attente de ma relecture",
                        "en": "Awaiting my review"},
    "scheduled": {"nl": "Ingepland", "fr": "Programmés", "en": "Scheduled"},
    "recently_published": {"nl": "Recent gepubliceerd", "fr": "Publiés récemment", "en": "Recently published"},
    "notifications": {"nl": "Meldingen", "fr": "Notifications", "en": "Notifications"},
    "new_release": {"nl": "Nieuw persbericht", "fr": "Nouveau communiqué", "en": "New release"},
    "sent_of": {"nl": "{sent} van {total} verzonden", "fr": "{sent} sur {total} envoyés",
                "en": "{sent} of {total} sent"},
    "no_mailing": {"nl": "nog geen verzending", "fr": "pas encore d'envoi", "en": "no mailing yet"},
    # release fields and states
    "title": {"nl": "Titel", "fr": "Titre", "en": "Title"},
    "lead": {"nl": "Inleiding", "fr": "Chapeau", "en": "Lead"},
    "body": {"nl": "Tekst (Markdown)", "fr": "Texte (Markdown)", "en": "Body (Markdown)"},
    "links": {"nl": "Links (één per regel: label | https://…)",
              "fr": "Liens (un par ligne : libellé | https://…)",
              "en": "Links (one per line: label | https://…)"},
    "contacts": {"nl": "Contactpersonen", "fr": "Contacts", "en": "Contacts"},
    "new_contact": {"nl": "Nieuwe contactpersoon", "fr": "Nouveau contact", "en": "New contact"},
    "preview_fallback": {"nl": "Deze release heeft geen {wanted}-tekst: abonnees met taal {wanted} krijgen "
                         "deze {shown}-versie.",
                         "fr": "Ce communiqué n'a pas de texte {wanted} : les abonnés de langue {wanted} "
                         "reçoivent cette version {shown}.",
                         "en": "This release has no {wanted} text: subscribers whose language is {wanted} "
                         "receive this {shown} copy."},
    "web_only": {"nl": "Alleen op de nieuwskamer, naar niemand mailen", "fr": "Uniquement sur la salle de presse, "
                 "envoyé à personne", "en": "Newsroom only, mailed to nobody"},
    "name": {"nl": "Naam", "fr": "Nom", "en": "Name"},
    "function": {"nl": "Functie", "fr": "Fonction", "en": "Function"},
    "phone": {"nl": "Telefoon", "fr": "Téléphone", "en": "Phone"},
    "topics": {"nl": "Onderwerpen (komma's ertussen)", "fr": "Thèmes (séparés par des virgules)",
               "en": "Topics (comma-separated)"},
    "embargo": {"nl": "Embargo tot", "fr": "Embargo jusqu'au", "en": "Embargo until"},
    "schedule": {"nl": "Publiceren op", "fr": "Publier le", "en": "Publish at"},
    "timezone_note": {"nl": "Tijden in {zone}", "fr": "Heures en {zone}", "en": "Times in {zone}"},
    "kind": {"nl": "Soort", "fr": "Type", "en": "Kind"},
    "main_language": {"nl": "Hoofdtaal", "fr": "Langue principale", "en": "Main language"},
    "comment": {"nl": "Opmerking", "fr": "Commentaire", "en": "Comment"},
    "state": {"nl": "Status", "fr": "Statut", "en": "State"},
    "version": {"nl": "Versie", "fr": "Version", "en": "Version"},
    "author": {"nl": "Auteur", "fr": "Auteur", "en": "Author"},
    "state_draft": {"nl": "ontwerp", "fr": "brouillon", "en": "draft"},
    "state_in_review": {"nl": "ter nazicht", "fr": "en relecture", "en": "in review"},
    "state_changes_requested": {"nl": "wijzigingen gevraagd", "fr": "modifications demandées",
                                "en": "changes requested"},
    "state_approved": {"nl": "goedgekeurd", "fr": "approuvé", "en": "approved"},
    "state_scheduled": {"nl": "ingepland", "fr": "programmé", "en": "scheduled"},
    "state_published": {"nl": "gepubliceerd", "fr": "publié", "en": "published"},
    "state_withdrawn": {"nl": "ingetrokken", "fr": "retiré", "en": "withdrawn"},
    "state_archived": {"nl": "gearchiveerd", "fr": "archivé", "en": "archived"},
    "kind_press_release": {"nl": "Persbericht", "fr": "Communiqué de presse", "en": "Press release"},
    "kind_annual_report": {"nl": "Jaarverslag", "fr": "Rapport annuel", "en": "Annual report"},
    "kind_event": {"nl": "Evenement", "fr": "Événement", "en": "Event"},
    "kind_statement": {"nl": "Verklaring", "fr": "Déclaration", "en": "Statement"},
    # actions
    "edit": {"nl": "Bewerken", "fr": "Modifier", "en": "Edit"},
    "submit": {"nl": "Ter nazicht indienen", "fr": "Soumettre à relecture", "en": "Submit for review"},
    "approve": {"nl": "Goedkeuren", "fr": "Approuver", "en": "Approve"},
    "request_changes": {"nl": "Wijzigingen vragen", "fr": "Demander des modifications",
                        "en": "Request changes"},
    "publish": {"nl": "Publiceren", "fr": "Publier", "en": "Publish"},
    "schedule_action": {"nl": "Inplannen", "fr": "Programmer", "en": "Schedule"},
    "unschedule": {"nl": "Niet meer inplannen", "fr": "Déprogrammer", "en": "Unschedule"},
    "withdraw": {"nl": "Intrekken", "fr": "Retirer", "en": "Withdraw"},
    "archive": {"nl": "Archiveren", "fr": "Archiver", "en": "Archive"},
    "reason": {"nl": "Reden", "fr": "Motif", "en": "Reason"},
    "notify_withdrawal": {"nl": "Ontvangers een intrekkingsbericht sturen",
                          "fr": "Envoyer un avis de retrait aux destinataires",
                          "en": "Send recipients a withdrawal notice"},
    "review": {"nl": "Nazicht", "fr": "Relecture", "en": "Review"},
    "audit_log": {"nl": "Logboek", "fr": "Journal", "en": "Audit log"},
    "done_action": {"nl": "{action}: {from_state} → {to_state}", "fr": "{action} : {from_state} → {to_state}",
                    "en": "{action}: {from_state} → {to_state}"},
    "saved": {"nl": "Opgeslagen als revisie {revision}.", "fr": "Enregistré comme révision {revision}.",
              "en": "Saved as revision {revision}."},
    "unchanged": {"nl": "Niets gewijzigd.", "fr": "Rien n'a changé.", "en": "Nothing changed."},
    # editor and preview
    "editor": {"nl": "Editor", "fr": "Éditeur", "en": "Editor"},
    "preview": {"nl": "Voorbeeld van de e-mail", "fr": "Aperçu de l'e-mail", "en": "E-mail preview"},
    "preview_language": {"nl": "Voorbeeld in", "fr": "Aperçu en", "en": "Preview in"},
    "refresh_preview": {"nl": "Voorbeeld vernieuwen", "fr": "Actualiser l'aperçu", "en": "Refresh preview"},
    "language_nl": {"nl": "Nederlands", "fr": "néerlandais", "en": "Dutch"},
    "language_fr": {"nl": "Frans", "fr": "français", "en": "French"},
    "language_en": {"nl": "Engels", "fr": "anglais", "en": "English"},
    "language_de": {"nl": "Duits", "fr": "allemand", "en": "German"},
    # review
    "diff_against_approved": {"nl": "Verschillen met de laatst goedgekeurde revisie {number}",
                              "fr": "Différences avec la dernière révision approuvée {number}",
                              "en": "Changes since the last approved revision {number}"},
    "diff_against_previous": {"nl": "Verschillen met de vorige revisie {number}",
                              "fr": "Différences avec la révision précédente {number}",
                              "en": "Changes since the previous revision {number}"},
    "first_revision": {"nl": "Eerste revisie: alles is nieuw.", "fr": "Première révision : tout est nouveau.",
                       "en": "First revision: everything is new."},
    "no_changes": {"nl": "Geen wijzigingen in deze taal.", "fr": "Aucune modification dans cette langue.",
                   "en": "No changes in this language."},
    "revision": {"nl": "Revisie", "fr": "Révision", "en": "Revision"},
    "comment_required": {"nl": "Zeg wat er moet veranderen (verplicht).",
                         "fr": "Indiquez ce qui doit changer (obligatoire).",
                         "en": "Say what must change (required)."},
    "other_settings": {"nl": "Lijsten, onderwerpen en tijden", "fr": "Listes, thèmes et horaires",
                       "en": "Lists, topics and times"},
    # distributions
    "distribution": {"nl": "Verzending", "fr": "Envoi", "en": "Distribution"},
    # A mailing's status and its messages' statuses, as people read them.
    "mailing_preparing": {"nl": "wordt voorbereid", "fr": "en préparation", "en": "preparing"},
    "mailing_sending": {"nl": "wordt verstuurd", "fr": "en cours d'envoi", "en": "sending"},
    "mailing_done": {"nl": "verstuurd", "fr": "terminé", "en": "done"},
    "mailing_paused": {"nl": "gepauzeerd", "fr": "en pause", "en": "paused"},
    "mailing_cancelled": {"nl": "geannuleerd", "fr": "annulé", "en": "cancelled"},
    "mailing_cancelled: withdrawn": {"nl": "geannuleerd: ingetrokken", "fr": "annulé : retiré",
                                     "en": "cancelled: withdrawn"},
    "mailing_failed": {"nl": "mislukt", "fr": "en échec", "en": "failed"},
    "message_queued": {"nl": "in de wachtrij", "fr": "en attente", "en": "queued"},
    "message_sending": {"nl": "bij de mailserver", "fr": "chez le serveur", "en": "with the server"},
    "message_sent": {"nl": "verstuurd", "fr": "envoyés", "en": "sent"},
    "message_deferred": {"nl": "later opnieuw", "fr": "à réessayer", "en": "to retry"},
    "message_failed": {"nl": "mislukt", "fr": "en échec", "en": "failed"},
    "message_bounced": {"nl": "teruggestuurd", "fr": "rejetés", "en": "bounced"},
    "message_skipped": {"nl": "overgeslagen", "fr": "ignorés", "en": "skipped"},
    "control_done": {"nl": "{action}: de verzending is nu {status}.", "fr": "{action} : l'envoi est maintenant {status}.",
                     "en": "{action}: the mailing is now {status}."},
    "pause": {"nl": "Pauzeren", "fr": "Mettre en pause", "en": "Pause"},
    "resume": {"nl": "Hervatten", "fr": "Reprendre", "en": "Resume"},
    "cancel": {"nl": "Annuleren", "fr": "Annuler", "en": "Cancel"},
    "retry-failed": {"nl": "Mislukte opnieuw", "fr": "Réessayer les échecs", "en": "Retry failed"},
    "rate": {"nl": "Tempo", "fr": "Débit", "en": "Rate"},
    "per_second": {"nl": "{rate}/s", "fr": "{rate}/s", "en": "{rate}/s"},
    "last_errors": {"nl": "Laatste fouten", "fr": "Dernières erreurs", "en": "Latest errors"},
    "status": {"nl": "Status", "fr": "Statut", "en": "Status"},
    "total": {"nl": "Totaal", "fr": "Total", "en": "Total"},
    "audience": {"nl": "Ontvangers", "fr": "Destinataires", "en": "Audience"},
    "release": {"nl": "Persbericht", "fr": "Communiqué", "en": "Release"},
    "search": {"nl": "Zoeken", "fr": "Rechercher", "en": "Search"},
    "language": {"nl": "Taal", "fr": "Langue", "en": "Language"},
    "subscription_confirmed": {"nl": "bevestigd", "fr": "confirmés", "en": "confirmed"},
    "subscription_pending": {"nl": "wacht op bevestiging", "fr": "en attente", "en": "pending"},
    "subscription_unsubscribed": {"nl": "uitgeschreven", "fr": "désinscrits", "en": "unsubscribed"},
    "changes_requested_by": {"nl": "{who} vroeg aanpassingen ({when}):", "fr": "{who} a demandé des modifications "
                             "({when}) :", "en": "{who} asked for changes ({when}):"},
    "author_notes": {"nl": "Wat de auteur sindsdien veranderde", "fr": "Ce que l'auteur a changé depuis",
                     "en": "What the author changed since"},
    "confirm_remove": {"nl": "{email} van deze lijst verwijderen?", "fr": "Retirer {email} de cette liste ?",
                       "en": "Remove {email} from this list?"},
    "confirm_cancel": {"nl": "Deze verzending stoppen? {count} berichten worden dan nooit verstuurd.",
                       "fr": "Arrêter cet envoi ? {count} messages ne seront jamais envoyés.",
                       "en": "Cancel this mailing? {count} messages will then never be sent."},
    "confirm_publish": {"nl": "Nu publiceren en mailen naar {count} ontvangers?",
                        "fr": "Publier maintenant et envoyer à {count} destinataires ?",
                        "en": "Publish now and mail {count} recipients?"},
    "held_until": {"nl": "{count} wachten bewust: op het einde van het embargo of een nieuwe poging (vanaf {until}).",
                   "fr": "{count} attendent à dessein : la levée de l'embargo ou un nouvel essai (dès le {until}).",
                   "en": "{count} wait on purpose: for the embargo to lift or a retry (from {until})."},
    "mailing_problems": {"nl": "Verzendingen met problemen", "fr": "Envois en échec", "en": "Mailings with problems"},
    "mailing_not_started": {"nl": "kon niet starten ({note})", "fr": "n'a pas pu commencer ({note})",
                            "en": "could not start ({note})"},
    "mailing_nobody": {"nl": "naar niemand gemaild", "fr": "envoyé à personne", "en": "mailed to nobody"},
    "mailing_partly_failed": {"nl": "{failed} van {total} niet afgeleverd", "fr": "{failed} sur {total} non remis",
                       "en": "{failed} of {total} not delivered"},
    "by_language": {"nl": "Per taal", "fr": "Par langue", "en": "By language"},
    "audience_held": {"nl": "{now} krijgen het meteen (onder embargo); {held} wachten tot het embargo afloopt op {until}.",
                      "fr": "{now} le reçoivent tout de suite (sous embargo) ; {held} attendent la levée de "
                      "l'embargo le {until}.",
                      "en": "{now} get it at once (under embargo); {held} wait until the embargo lifts on {until}."},
    "audience_nobody": {"nl": "Niemand zou dit bericht nu ontvangen: de lijsten hebben geen bevestigde abonnees "
                        "die erbij passen.",
                        "fr": "Personne ne recevrait ce communiqué maintenant : aucune liste n'a d'abonné "
                        "confirmé correspondant.",
                        "en": "Nobody would receive this release now: the lists have no confirmed subscriber "
                        "it matches."},
    # lists and subscribers
    "new_list": {"nl": "Nieuwe lijst", "fr": "Nouvelle liste", "en": "New list"},
    "slug": {"nl": "Code (slug)", "fr": "Code (slug)", "en": "Slug"},
    "description": {"nl": "Beschrijving", "fr": "Description", "en": "Description"},
    "private_list": {"nl": "Privé (enkel door beheerders)", "fr": "Privée (administrateurs seulement)",
                     "en": "Private (admins only)"},
    "receives_embargoed": {"nl": "Ontvangt onder embargo", "fr": "Reçoit sous embargo",
                           "en": "Receives under embargo"},
    "embargo_private_only": {"nl": "enkel voor een privélijst", "fr": "uniquement pour une liste privée",
                             "en": "private lists only"},
    "embargo_needs_private": {
        "nl": "Een lijst die berichten onder embargo ontvangt, moet privé zijn: iedereen kan zich op de "
              "inschrijvingspagina voor een openbare lijst aanmelden en zou het nieuws lezen voor het embargo "
              "afloopt. Vink ‘Privé’ aan, of ‘Ontvangt onder embargo’ uit.",
        "fr": "Une liste qui reçoit des communiqués sous embargo doit être privée : n'importe qui peut "
              "s'inscrire à une liste publique sur la page d'inscription et lirait l'information avant la "
              "levée de l'embargo. Cochez « Privée » ou décochez « Reçoit sous embargo ».",
        "en": "A list that receives embargoed releases must be private: anyone can join a public list on the "
              "sign-up page and would read the news before the embargo lifts. Tick ‘Private’, or untick "
              "‘Receives under embargo’.",
    },
    "subscribers": {"nl": "Abonnees", "fr": "Abonnés", "en": "Subscribers"},
    "add_subscriber": {"nl": "Abonnee toevoegen", "fr": "Ajouter un abonné", "en": "Add a subscriber"},
    "confirmed_consent": {"nl": "Toestemming is al gegeven (geen bevestigingsmail)",
                          "fr": "Consentement déjà donné (pas d'e-mail de confirmation)",
                          "en": "Consent already given (no confirmation mail)"},
    "import_csv": {"nl": "CSV importeren", "fr": "Importer un CSV", "en": "Import a CSV"},
    "import_report": {"nl": "Importverslag", "fr": "Rapport d'importation", "en": "Import report"},
    "remove": {"nl": "Verwijderen", "fr": "Retirer", "en": "Remove"},
    "organisation": {"nl": "Organisatie / medium", "fr": "Organisation / média", "en": "Organisation / medium"},
    # the organisation (admins)
    "organisation_identity": {"nl": "Organisatie", "fr": "Organisation", "en": "Organisation"},
    "organisation_intro": {
        "nl": "Zo staat de organisatie in de kop en de voet van elke e-mail, per taal. Een veld dat een taal "
              "leeg laat, komt uit de standaardtaal ({default}). Elke wijziging is een nieuwe versie; "
              "oudere versies blijven bewaard.",
        "fr": "Voici comment l'organisation apparaît dans l'en-tête et le pied de chaque e-mail, par langue. "
              "Un champ laissé vide dans une langue est repris de la langue par défaut ({default}). "
              "Chaque modification crée une nouvelle version ; les anciennes sont conservées.",
        "en": "How the organisation appears in the header and footer of every e-mail, per language. A field "
              "a language leaves empty comes from the default language ({default}). Every change is a new "
              "version; older versions are kept."},
    "organisation_made": {"nl": "Versie van {when}, door {who}", "fr": "Version du {when}, par {who}",
                          "en": "Version of {when}, by {who}"},
    "organisation_origin_settings": {"nl": "de instellingen (PRESSROOM_ORGANISATION_*)",
                                     "fr": "les paramètres (PRESSROOM_ORGANISATION_*)",
                                     "en": "the settings (PRESSROOM_ORGANISATION_*)"},
    "organisation_origin_migration": {"nl": "de vorige gegevens van de organisatie (migratie)",
                                      "fr": "les données précédentes de l'organisation (migration)",
                                      "en": "the organisation's previous record (migration)"},
    "organisation_old_version": {"nl": "U bekijkt versie {version}; de huidige versie is {current}.",
                                 "fr": "Vous consultez la version {version} ; la version actuelle est la {current}.",
                                 "en": "You are looking at version {version}; the current version is {current}."},
    "organisation_current": {"nl": "Naar de huidige versie", "fr": "Voir la version actuelle",
                             "en": "Show the current version"},
    "organisation_address": {"nl": "Adres", "fr": "Adresse", "en": "Address"},
    "organisation_website": {"nl": "Website", "fr": "Site web", "en": "Website"},
    "organisation_logo_url": {"nl": "Logo (https-adres)", "fr": "Logo (adresse https)", "en": "Logo (https address)"},
    "organisation_sender_email": {"nl": "Afzenderadres", "fr": "Adresse d'expédition", "en": "Sender address"},
    "organisation_every_language": {"nl": "(één voor alle talen)", "fr": "(une pour toutes les langues)",
                                    "en": "(one for every language)"},
    "organisation_from_default": {"nl": "(uit {default})", "fr": "(repris du {default})",
                                  "en": "(from {default})"},
    "organisation_empty_falls_back": {
        "nl": "Laat een veld leeg om de waarde uit het {default} te gebruiken (grijs getoond).",
        "fr": "Laissez un champ vide pour reprendre la valeur en {default} (affichée en gris).",
        "en": "Leave a field empty to use the {default} value (shown in grey)."},
    "organisation_edit": {"nl": "Wijzigen", "fr": "Modifier", "en": "Change"},
    "organisation_history": {"nl": "Geschiedenis", "fr": "Historique", "en": "History"},
    "organisation_change": {"nl": "Wijziging", "fr": "Modification", "en": "Change"},
    "organisation_saved": {"nl": "Opgeslagen als versie {version}.", "fr": "Enregistré comme version {version}.",
                           "en": "Saved as version {version}."},
    # public pages
    "subscribe": {"nl": "Inschrijven", "fr": "S'abonner", "en": "Subscribe"},
    "subscribe_intro": {"nl": "Ontvang onze persberichten per e-mail.",
                        "fr": "Recevez nos communiqués par e-mail.",
                        "en": "Receive our press releases by e-mail."},
    "consent_text": {"nl": "Ik wil de gekozen berichten per e-mail ontvangen. Uitschrijven kan altijd.",
                     "fr": "Je souhaite recevoir ces messages par e-mail. Je peux me désabonner à tout moment.",
                     "en": "I want to receive these messages by e-mail. I can unsubscribe at any time."},
    "check_inbox": {"nl": "Bijna klaar: bekijk uw mailbox en bevestig uw inschrijving.",
                    "fr": "Presque terminé : consultez votre boîte mail et confirmez votre abonnement.",
                    "en": "Almost done: check your inbox and confirm your subscription."},
    "confirm_title": {"nl": "Inschrijving bevestigen", "fr": "Confirmer l'abonnement",
                      "en": "Confirm your subscription"},
    "confirm_button": {"nl": "Ja, schrijf mij in", "fr": "Oui, je m'abonne", "en": "Yes, subscribe me"},
    "confirmed": {"nl": "Uw inschrijving op {list} is bevestigd.", "fr": "Votre abonnement à {list} est confirmé.",
                  "en": "Your subscription to {list} is confirmed."},
    "unsubscribe": {"nl": "Uitschrijven", "fr": "Se désabonner", "en": "Unsubscribe"},
    "unsubscribe_question": {"nl": "{email} uitschrijven van {list}?", "fr": "Désabonner {email} de {list} ?",
                             "en": "Unsubscribe {email} from {list}?"},
    "unsubscribe_everywhere": {"nl": "Van alle lijsten", "fr": "De toutes les listes", "en": "From every list"},
    "unsubscribed": {"nl": "U bent uitgeschreven.", "fr": "Vous êtes désabonné.", "en": "You are unsubscribed."},
    "not_subscribed": {"nl": "Dit adres is niet (meer) ingeschreven op {list}.",
                       "fr": "Cette adresse n'est pas (plus) abonnée à {list}.",
                       "en": "This address is not (or no longer) subscribed to {list}."},
    "preferences": {"nl": "Voorkeuren", "fr": "Préférences", "en": "Preferences"},
    "preferences_saved": {"nl": "Uw voorkeuren zijn opgeslagen.", "fr": "Vos préférences sont enregistrées.",
                          "en": "Your preferences are saved."},
    "frequency": {"nl": "Hoe vaak", "fr": "Fréquence", "en": "How often"},
    "frequency_immediate": {"nl": "Meteen", "fr": "Immédiatement", "en": "Immediately"},
    "frequency_daily": {"nl": "Dagelijks overzicht", "fr": "Résumé quotidien", "en": "Daily digest"},
    "frequency_weekly": {"nl": "Wekelijks overzicht", "fr": "Résumé hebdomadaire", "en": "Weekly digest"},
    "preview_page": {"nl": "Dit is een voorbeeld: deze link werkt pas in een echte e-mail.",
                     "fr": "Ceci est un aperçu : ce lien ne fonctionne que dans un vrai e-mail.",
                     "en": "This is a preview: this link works only in a real e-mail."},
    "published_on": {"nl": "Gepubliceerd op {date}", "fr": "Publié le {date}", "en": "Published {date}"},
    "press_contacts": {"nl": "Perscontact", "fr": "Contact presse", "en": "Press contact"},
    "also_in": {"nl": "Ook in", "fr": "Aussi en", "en": "Also in"},
    "feed": {"nl": "Feed (Atom)", "fr": "Flux (Atom)", "en": "Feed (Atom)"},
    "no_releases": {"nl": "Nog geen persberichten.", "fr": "Aucun communiqué pour l'instant.",
                    "en": "No releases yet."},
    "withdrawn_release": {"nl": "Dit persbericht werd ingetrokken.", "fr": "Ce communiqué a été retiré.",
                          "en": "This release has been withdrawn."},
    "not_in_language": {"nl": "Dit persbericht bestaat niet in deze taal.",
                        "fr": "Ce communiqué n'existe pas dans cette langue.",
                        "en": "This release is not available in this language."},
    "read_more": {"nl": "Lees meer", "fr": "Lire la suite", "en": "Read more"},
    # in the release's own language, German included (see web.public._embargo_notice)
    "under_embargo": {"nl": "Onder embargo tot {when}: niet publiceren of verspreiden vóór dat tijdstip.",
                      "fr": "Sous embargo jusqu'au {when} : ne pas publier ni diffuser avant cette heure.",
                      "en": "Under embargo until {when}: do not publish or share before that time.",
                      "de": "Sperrfrist bis {when}: vor diesem Zeitpunkt nicht veröffentlichen oder "
                            "weitergeben."},
    # editor
    "publish_ellipsis": {"nl": "Publiceren…", "fr": "Publier…", "en": "Publish…", "de": "Veröffentlichen…"},
    "publish_question": {"nl": "“{title}” publiceren?", "fr": "Publier « {title} » ?", "en": "Publish “{title}”?",
                         "de": "„{title}“ veröffentlichen?"},
    "publish_facts": {"nl": "Wat publiceren nu doet", "fr": "Ce que la publication va faire",
                      "en": "What publishing does now", "de": "Was die Veröffentlichung jetzt bewirkt"},
    "recipients": {"nl": "Ontvangers", "fr": "Destinataires", "en": "Recipients", "de": "Empfänger"},
    "publish_missing_lists": {"nl": "Deze lijsten bestaan niet meer: {lists}.",
                              "fr": "Ces listes n'existent plus : {lists}.",
                              "en": "These lists no longer exist: {lists}.",
                              "de": "Diese Listen gibt es nicht mehr: {lists}."},
    "publish_planned": {"nl": "Gepland tijdstip van publicatie: {when}.",
                        "fr": "Heure de publication prévue : {when}.",
                        "en": "Planned publication time: {when}.",
                        "de": "Geplanter Veröffentlichungszeitpunkt: {when}."},
    "publish_not_planned": {"nl": "Er is geen tijdstip gepland: het bericht gaat uit wanneer u publiceert.",
                            "fr": "Aucune heure n'est prévue : le communiqué part quand vous le publiez.",
                            "en": "No time is planned: the release goes out when you publish it.",
                            "de": "Kein Zeitpunkt geplant: die Mitteilung geht hinaus, wenn Sie sie veröffentlichen."},
    "publish_now_explained": {"nl": "Nu op de nieuwskamer zetten en mailen naar {count} ontvangers.",
                              "fr": "Mettre en ligne maintenant et envoyer à {count} destinataires.",
                              "en": "Put it on the newsroom now and mail {count} recipients.",
                              "de": "Jetzt im Newsroom veröffentlichen und an {count} Empfänger senden."},
    "publish_now_web_only": {"nl": "Nu op de nieuwskamer zetten; er wordt niemand gemaild.",
                             "fr": "Mettre en ligne maintenant ; aucun e-mail n'est envoyé.",
                             "en": "Put it on the newsroom now; nobody is mailed.",
                             "de": "Jetzt im Newsroom veröffentlichen; niemand erhält eine E-Mail."},
    "publish_now": {"nl": "Nu publiceren", "fr": "Publier maintenant", "en": "Publish now",
                    "de": "Jetzt veröffentlichen"},
    "schedule_for": {"nl": "Inplannen voor", "fr": "Programmer pour le", "en": "Schedule for",
                     "de": "Planen für"},
    "publish_in_past": {"nl": "{at} is al voorbij: publiceer nu, of kies een later tijdstip.",
                        "fr": "{at} est déjà passé : publiez maintenant, ou choisissez une heure plus tardive.",
                        "en": "{at} is in the past: publish now, or choose a later time.",
                        "de": "{at} liegt in der Vergangenheit: jetzt veröffentlichen oder einen späteren "
                              "Zeitpunkt wählen."},
    "publish_embargo_first": {"nl": "Het embargo loopt af op {lift}, vóór het bericht uitgaat ({goes_out}): het "
                                    "zou niets tegenhouden. Verwijder het embargo of kies een later tijdstip in de "
                                    "editor, en dien opnieuw in.",
                              "fr": "L'embargo est levé le {lift}, avant la diffusion du communiqué ({goes_out}) : "
                                    "il ne retiendrait rien. Supprimez l'embargo ou choisissez une heure plus "
                                    "tardive dans l'éditeur, puis soumettez à nouveau.",
                              "en": "The embargo lifts on {lift}, before the release goes out ({goes_out}): it "
                                    "would hold nothing back. Remove the embargo or set a later time in the "
                                    "editor, and submit again.",
                              "de": "Die Sperrfrist endet am {lift}, bevor die Mitteilung hinausgeht "
                                    "({goes_out}): sie hielte nichts zurück. Sperrfrist entfernen oder im Editor "
                                    "einen späteren Zeitpunkt setzen und erneut einreichen."},
    "publish_choose_time": {"nl": "Kies een datum en uur om in te plannen.",
                            "fr": "Choisissez une date et une heure de programmation.",
                            "en": "Choose a date and time to schedule for.",
                            "de": "Wählen Sie Datum und Uhrzeit für die Planung."},
    "send_test_mail": {"nl": "Testmail sturen", "fr": "Envoyer un e-mail de test", "en": "Send a test mail",
                       "de": "Testmail senden"},
    "test_mail_to": {"nl": "Naar", "fr": "À", "en": "To", "de": "An"},
    "test_mail_me": {"nl": "mijzelf", "fr": "moi-même", "en": "me", "de": "mich"},
    "test_mail_every_language": {"nl": "elke taal van het bericht", "fr": "chaque langue du communiqué",
                                 "en": "each language of the release", "de": "jede Sprache der Mitteilung"},
    "test_mail_hint": {"nl": "De laatst opgeslagen revisie, zoals abonnees ze krijgen, met de vermelding test in "
                             "het onderwerp. Niemand wordt uitgeschreven of geteld.",
                       "fr": "La dernière révision enregistrée, telle que les abonnés la reçoivent, marquée comme essai "
                             "dans l'objet. Personne n'est désabonné ni compté.",
                       "en": "The last saved revision, as subscribers get it, marked as a test in its subject. "
                             "Nobody is unsubscribed or counted.",
                       "de": "Die zuletzt gespeicherte Revision, wie Abonnenten sie erhalten, im Betreff als "
                             "Test markiert. Niemand wird abgemeldet oder gezählt."},
    "test_mail_sent": {"nl": "Testmail naar {to} ({languages}) is onderweg.",
                       "fr": "L'e-mail de test à {to} ({languages}) est en route.",
                       "en": "Test mail to {to} ({languages}) is on its way.",
                       "de": "Testmail an {to} ({languages}) ist unterwegs."},
    "test_mail_not_staff": {"nl": "Een testmail gaat alleen naar uzelf of een collega met een actieve account.",
                            "fr": "Un e-mail de test ne part que vers vous ou un collègue avec un compte actif.",
                            "en": "A test mail goes only to you or a colleague with an active account.",
                            "de": "Eine Testmail geht nur an Sie oder an Kollegen mit aktivem Konto."},
    "diff_added": {"nl": "toegevoegd:", "fr": "ajouté :", "en": "added:", "de": "hinzugefügt:"},
    "diff_removed": {"nl": "verwijderd:", "fr": "supprimé :", "en": "removed:", "de": "entfernt:"},
    "previews": {"nl": "De e-mail in elke taal", "fr": "L'e-mail dans chaque langue", "en": "The mail in each language",
                 "de": "Die E-Mail in jeder Sprache"},
    "conflict_title": {"nl": "{who} heeft intussen revisie {number} opgeslagen, op {when}.",
                       "fr": "{who} a enregistré entre-temps la révision {number}, le {when}.",
                       "en": "{who} saved revision {number} while you were editing, on {when}.",
                       "de": "{who} hat inzwischen Revision {number} gespeichert, am {when}."},
    "conflict_help": {"nl": "Uw tekst staat nog in het formulier hieronder; niets is verloren. Vergelijk per veld, "
                            "neem over wat u wilt houden en sla opnieuw op.",
                      "fr": "Votre texte est toujours dans le formulaire ci-dessous ; rien n'est perdu. Comparez "
                            "champ par champ, reprenez ce que vous voulez garder et enregistrez à nouveau.",
                      "en": "Your text is still in the form below; nothing is lost. Compare field by field, take "
                            "over what you want to keep, and save again.",
                      "de": "Ihr Text steht weiter im Formular unten; nichts ist verloren. Vergleichen Sie Feld "
                            "für Feld, übernehmen Sie, was bleiben soll, und speichern Sie erneut."},
    "conflict_theirs": {"nl": "Revisie {number} van {who}", "fr": "Révision {number} de {who}",
                        "en": "Revision {number} by {who}", "de": "Revision {number} von {who}"},
    "conflict_yours": {"nl": "Uw tekst", "fr": "Votre texte", "en": "Your text", "de": "Ihr Text"},
    "conflict_use_theirs": {"nl": "Hun tekst overnemen", "fr": "Reprendre leur texte", "en": "Use their text",
                            "de": "Deren Text übernehmen"},
    "conflict_same": {"nl": "Uw tekst is gelijk aan de hunne; sla op om verder te gaan.",
                      "fr": "Votre texte est identique au leur ; enregistrez pour continuer.",
                      "en": "Your text is the same as theirs; save to go on.",
                      "de": "Ihr Text gleicht dem anderen; speichern Sie, um fortzufahren."},
    "autosave_found": {"nl": "Deze browser bewaarde niet-opgeslagen wijzigingen van",
                       "fr": "Ce navigateur a gardé des modifications non enregistrées du",
                       "en": "This browser kept unsaved changes from",
                       "de": "Dieser Browser hat ungespeicherte Änderungen aufbewahrt vom"},
    "autosave_restore": {"nl": "Herstellen", "fr": "Restaurer", "en": "Restore", "de": "Wiederherstellen"},
    "autosave_discard": {"nl": "Weggooien", "fr": "Abandonner", "en": "Discard", "de": "Verwerfen"},
    # sign-in
    "sign_in_with": {"nl": "Aanmelden met {provider}", "fr": "Se connecter avec {provider}",
                     "en": "Sign in with {provider}", "de": "Anmelden mit {provider}"},
    "two_step_title": {"nl": "Aanmelden in twee stappen", "fr": "Connexion en deux étapes",
                       "en": "Two-step sign-in", "de": "Anmeldung in zwei Schritten"},
    "code_help": {"nl": "Geef de code van zes cijfers uit uw authenticator-app, of een van uw herstelcodes.",
                  "fr": "Saisissez le code à six chiffres de votre application d'authentification, ou l'un de "
                        "vos codes de récupération.",
                  "en": "Enter the six-digit code from your authenticator app, or one of your recovery codes.",
                  "de": "Geben Sie den sechsstelligen Code aus Ihrer Authenticator-App oder einen Ihrer "
                        "Wiederherstellungscodes ein."},
    "code_label": {"nl": "Code", "fr": "Code", "en": "Code", "de": "Code"},
    "code_from_app": {"nl": "Code uit de app", "fr": "Code de l'application", "en": "Code from the app",
                      "de": "Code aus der App"},
    "code_refused": {"nl": "Deze code klopt niet, werd al gebruikt of is verlopen.",
                     "fr": "Ce code est incorrect, a déjà été utilisé ou a expiré.",
                     "en": "That code is wrong, was used already, or has expired.",
                     "de": "Dieser Code ist falsch, wurde schon verwendet oder ist abgelaufen."},
    "verify": {"nl": "Bevestigen", "fr": "Vérifier", "en": "Verify", "de": "Bestätigen"},
    "cancel_sign_in": {"nl": "Aanmelden annuleren", "fr": "Annuler la connexion", "en": "Cancel signing in",
                       "de": "Anmeldung abbrechen"},
    "account": {"nl": "Mijn account", "fr": "Mon compte", "en": "My account", "de": "Mein Konto"},
    "your_sessions": {"nl": "Waar u aangemeld bent", "fr": "Où vous êtes connecté",
                      "en": "Where you are signed in", "de": "Wo Sie angemeldet sind"},
    "session_device": {"nl": "Browser", "fr": "Navigateur", "en": "Browser", "de": "Browser"},
    "session_ip": {"nl": "IP-adres", "fr": "Adresse IP", "en": "IP address", "de": "IP-Adresse"},
    "session_started": {"nl": "Aangemeld op", "fr": "Connecté le", "en": "Signed in", "de": "Angemeldet am"},
    "session_last_used": {"nl": "Laatst gebruikt", "fr": "Dernière utilisation", "en": "Last used",
                          "de": "Zuletzt verwendet"},
    "session_actions": {"nl": "Acties", "fr": "Actions", "en": "Actions", "de": "Aktionen"},
    "this_session": {"nl": "deze browser", "fr": "ce navigateur", "en": "this browser", "de": "dieser Browser"},
    "end_session": {"nl": "Sessie beëindigen", "fr": "Terminer la session", "en": "End session",
                    "de": "Sitzung beenden"},
    "end_other_sessions": {"nl": "Overal elders afmelden", "fr": "Se déconnecter partout ailleurs",
                           "en": "Sign out everywhere else", "de": "Überall sonst abmelden"},
    "session_ended": {"nl": "Die sessie is beëindigd.", "fr": "Cette session est terminée.",
                      "en": "That session has been signed out.", "de": "Diese Sitzung wurde beendet."},
    "sessions_ended": {"nl": "{count} andere sessie(s) beëindigd.", "fr": "{count} autre(s) session(s) terminée(s).",
                       "en": "{count} other session(s) signed out.", "de": "{count} andere Sitzung(en) beendet."},
    "two_step_on": {"nl": "Aanmelden in twee stappen staat aan.", "fr": "La connexion en deux étapes est activée.",
                    "en": "Two-step sign-in is on.", "de": "Die Anmeldung in zwei Schritten ist aktiv."},
    "two_step_off": {"nl": "Aanmelden in twee stappen staat uit.", "fr": "La connexion en deux étapes est désactivée.",
                     "en": "Two-step sign-in is off.", "de": "Die Anmeldung in zwei Schritten ist nicht aktiv."},
    "two_step_required": {"nl": "Uw rol vereist aanmelden in twee stappen: stel het nu in om verder te gaan.",
                          "fr": "Votre rôle exige la connexion en deux étapes : configurez-la maintenant pour "
                                "continuer.",
                          "en": "Your role requires two-step sign-in: set it up now to continue.",
                          "de": "Ihre Rolle verlangt die Anmeldung in zwei Schritten: richten Sie sie jetzt ein, "
                                "um fortzufahren."},
    "two_step_set_up": {"nl": "Aanmelden in twee stappen instellen", "fr": "Configurer la connexion en deux étapes",
                        "en": "Set up two-step sign-in", "de": "Anmeldung in zwei Schritten einrichten"},
    "two_step_reset_hint": {"nl": "Telefoon kwijt en geen herstelcodes meer? Een beheerder kan het resetten.",
                            "fr": "Téléphone perdu et plus de codes de récupération ? Un administrateur peut "
                                  "la réinitialiser.",
                            "en": "Lost your phone and out of recovery codes? An admin can reset it.",
                            "de": "Telefon verloren und keine Wiederherstellungscodes mehr? Ein Administrator "
                                  "kann sie zurücksetzen."},
    "recovery_codes_left": {"nl": "Ongebruikte herstelcodes: {count}.", "fr": "Codes de récupération inutilisés : "
                            "{count}.", "en": "Unused recovery codes: {count}.",
                            "de": "Unbenutzte Wiederherstellungscodes: {count}."},
    "enrol_scan": {"nl": "Scan deze QR-code met uw authenticator-app.",
                   "fr": "Scannez ce code QR avec votre application d'authentification.",
                   "en": "Scan this QR code with your authenticator app.",
                   "de": "Scannen Sie diesen QR-Code mit Ihrer Authenticator-App."},
    "enrol_secret": {"nl": "Of typ deze sleutel in:", "fr": "Ou saisissez cette clé :", "en": "Or type in this key:",
                     "de": "Oder geben Sie diesen Schlüssel ein:"},
    "enrol_confirm": {"nl": "Geef de code die de app nu toont, om te bevestigen dat het werkt.",
                      "fr": "Saisissez le code que l'application affiche maintenant, pour confirmer que cela "
                            "fonctionne.",
                      "en": "Enter the code the app shows now, to confirm that it works.",
                      "de": "Geben Sie den Code ein, den die App jetzt anzeigt, um zu bestätigen, dass es "
                            "funktioniert."},
    "qr_title": {"nl": "QR-code voor uw authenticator-app", "fr": "Code QR pour votre application d'authentification",
                 "en": "QR code for your authenticator app", "de": "QR-Code für Ihre Authenticator-App"},
    "recovery_codes": {"nl": "Herstelcodes", "fr": "Codes de récupération", "en": "Recovery codes",
                       "de": "Wiederherstellungscodes"},
    "recovery_codes_once": {"nl": "Bewaar deze codes op een veilige plaats. Elke code werkt één keer, als u uw "
                                  "telefoon niet bij de hand hebt. Ze worden niet opnieuw getoond.",
                            "fr": "Conservez ces codes en lieu sûr. Chaque code fonctionne une seule fois, si vous "
                                  "n'avez pas votre téléphone. Ils ne seront plus affichés.",
                            "en": "Keep these codes somewhere safe. Each works once, when you do not have your "
                                  "phone. They are not shown again.",
                            "de": "Bewahren Sie diese Codes sicher auf. Jeder Code funktioniert einmal, wenn Sie "
                                  "Ihr Telefon nicht zur Hand haben. Sie werden nicht noch einmal angezeigt."},
    "recovery_codes_saved": {"nl": "Ik heb ze bewaard", "fr": "Je les ai conservés", "en": "I have saved them",
                             "de": "Ich habe sie gespeichert"},
    "sso_no_invitation": {"nl": "Er is geen account voor dit e-mailadres. Vraag een beheerder om een uitnodiging.",
                          "fr": "Il n'y a pas de compte pour cette adresse e-mail. Demandez une invitation à un "
                                "administrateur.",
                          "en": "There is no account for this e-mail address. Ask an admin for an invitation.",
                          "de": "Für diese E-Mail-Adresse gibt es kein Konto. Bitten Sie einen Administrator um "
                                "eine Einladung."},
    "sso_deactivated": {"nl": "Dit account is gedeactiveerd.", "fr": "Ce compte est désactivé.",
                        "en": "This account is deactivated.", "de": "Dieses Konto ist deaktiviert."},
    "sso_unverified": {"nl": "Uw identiteitsprovider bevestigt uw e-mailadres niet.",
                       "fr": "Votre fournisseur d'identité ne confirme pas votre adresse e-mail.",
                       "en": "Your identity provider does not confirm your e-mail address.",
                       "de": "Ihr Identitätsanbieter bestätigt Ihre E-Mail-Adresse nicht."},
    "sso_failed": {"nl": "Aanmelden via uw identiteitsprovider is mislukt. Probeer het opnieuw.",
                   "fr": "La connexion par votre fournisseur d'identité a échoué. Réessayez.",
                   "en": "Signing in through your identity provider failed. Please try again.",
                   "de": "Die Anmeldung über Ihren Identitätsanbieter ist fehlgeschlagen. Bitte versuchen Sie es "
                         "erneut."},
    # admin
    "users": {"nl": "Gebruikers", "fr": "Utilisateurs", "en": "Users", "de": "Benutzer"},
    "role": {"nl": "Rol", "fr": "Rôle", "en": "Role", "de": "Rolle"},
    "role_spokesperson": {"nl": "woordvoerder", "fr": "porte-parole", "en": "spokesperson", "de": "Pressesprecher"},
    "role_approver": {"nl": "goedkeurder", "fr": "approbateur", "en": "approver", "de": "Freigeber"},
    "role_admin": {"nl": "beheerder", "fr": "administrateur", "en": "admin", "de": "Administrator"},
    "role_of": {"nl": "Rol van {name}", "fr": "Rôle de {name}", "en": "Role of {name}", "de": "Rolle von {name}"},
    "change_role": {"nl": "Rol wijzigen", "fr": "Changer le rôle", "en": "Change role", "de": "Rolle ändern"},
    "actions": {"nl": "Acties", "fr": "Actions", "en": "Actions", "de": "Aktionen"},
    "user_status": {"nl": "Status", "fr": "Statut", "en": "Status", "de": "Status"},
    "user_status_active": {"nl": "actief", "fr": "actif", "en": "active", "de": "aktiv"},
    "user_status_invited": {"nl": "uitgenodigd, nog geen wachtwoord", "fr": "invité, pas encore de mot de passe",
                            "en": "invited, no password yet", "de": "eingeladen, noch kein Passwort"},
    "user_status_deactivated": {"nl": "gedeactiveerd", "fr": "désactivé", "en": "deactivated",
                                "de": "deaktiviert"},
    "last_admin_hint": {"nl": "(de enige actieve beheerder)", "fr": "(le seul administrateur actif)",
                        "en": "(the only active admin)", "de": "(der einzige aktive Administrator)"},
    "deactivate": {"nl": "Deactiveren", "fr": "Désactiver", "en": "Deactivate", "de": "Deaktivieren"},
    "reactivate": {"nl": "Opnieuw activeren", "fr": "Réactiver", "en": "Reactivate", "de": "Reaktivieren"},
    "deactivate_confirm": {"nl": "{name} deactiveren? Aanmelden en API-sleutels werken dan niet meer.",
                           "fr": "Désactiver {name} ? La connexion et les jetons d'API ne fonctionneront plus.",
                           "en": "Deactivate {name}? Their sign-in and API tokens stop working.",
                           "de": "{name} deaktivieren? Anmeldung und API-Token funktionieren dann nicht mehr."},
    "resend_invitation": {"nl": "Uitnodiging opnieuw sturen", "fr": "Renvoyer l'invitation",
                          "en": "Send the invitation again", "de": "Einladung erneut senden"},
    "users_intro": {"nl": "Een gedeactiveerde gebruiker kan zich niet meer aanmelden: sessies, API-sleutels en "
                    "wachtwoordlinks werken meteen niet meer. Er blijft altijd minstens één actieve beheerder.",
                    "fr": "Un utilisateur désactivé ne peut plus se connecter : ses sessions, jetons d'API et liens "
                    "de mot de passe cessent aussitôt de fonctionner. Il reste toujours au moins un "
                    "administrateur actif.",
                    "en": "A deactivated user can no longer sign in: their sessions, API tokens and password links "
                    "stop working at once. There is always at least one active admin.",
                    "de": "Ein deaktivierter Benutzer kann sich nicht mehr anmelden: Sitzungen, API-Token und "
                    "Passwort-Links funktionieren sofort nicht mehr. Es bleibt immer mindestens ein aktiver "
                    "Administrator."},
    "invite_user": {"nl": "Iemand uitnodigen", "fr": "Inviter quelqu'un", "en": "Invite someone",
                    "de": "Jemanden einladen"},
    "invite_hint": {"nl": "De uitnodiging gaat per e-mail, in de gekozen taal, met een link om een wachtwoord te "
                    "kiezen. De link werkt één keer en verloopt na 7 dagen.",
                    "fr": "L'invitation part par e-mail, dans la langue choisie, avec un lien pour choisir un mot de "
                    "passe. Le lien ne fonctionne qu'une fois et expire après 7 jours.",
                    "en": "The invitation goes by e-mail, in the chosen language, with a link to choose a password. "
                    "The link works once and expires after 7 days.",
                    "de": "Die Einladung geht per E-Mail in der gewählten Sprache, mit einem Link zur Wahl eines "
                    "Passworts. Der Link funktioniert einmal und verfällt nach 7 Tagen."},
    "send_invitation": {"nl": "Uitnodiging sturen", "fr": "Envoyer l'invitation", "en": "Send the invitation",
                        "de": "Einladung senden"},
    "user_invited": {"nl": "Uitnodiging verstuurd naar {email}.", "fr": "Invitation envoyée à {email}.",
                     "en": "Invitation sent to {email}.", "de": "Einladung an {email} gesendet."},
    "user_role_changed": {"nl": "{email} is nu {role}.", "fr": "{email} est maintenant {role}.",
                          "en": "{email} is now {role}.", "de": "{email} ist jetzt {role}."},
    "user_deactivated": {"nl": "{email} is gedeactiveerd.", "fr": "{email} est désactivé.",
                         "en": "{email} is deactivated.", "de": "{email} ist deaktiviert."},
    "user_reactivated": {"nl": "{email} is opnieuw actief.", "fr": "{email} est de nouveau actif.",
                         "en": "{email} is active again.", "de": "{email} ist wieder aktiv."},
    "last_admin": {"nl": "Dat kan niet: dit is de laatste actieve beheerder. Maak eerst iemand anders beheerder.",
                   "fr": "Impossible : c'est le dernier administrateur actif. Nommez d'abord quelqu'un d'autre "
                   "administrateur.",
                   "en": "That is not possible: this is the last active admin. Make someone else admin first.",
                   "de": "Das geht nicht: Dies ist der letzte aktive Administrator. Machen Sie zuerst jemand "
                   "anderen zum Administrator."},
    "user_changes": {"nl": "Wijzigingen aan accounts", "fr": "Modifications des comptes", "en": "Account changes",
                     "de": "Kontoänderungen"},
    "user_change": {"nl": "Wijziging", "fr": "Modification", "en": "Change", "de": "Änderung"},
    "forgot_password": {"nl": "Wachtwoord vergeten?", "fr": "Mot de passe oublié ?", "en": "Forgot password?",
                        "de": "Passwort vergessen?"},
    "forgot_intro": {"nl": "Geef uw e-mailadres. Hoort er een actief account bij, dan krijgt u een link om een nieuw "
                     "wachtwoord te kiezen; die werkt één keer en een uur lang.",
                     "fr": "Indiquez votre adresse e-mail. Si un compte actif y correspond, vous recevrez un lien pour "
                     "choisir un nouveau mot de passe ; il ne fonctionne qu'une fois, pendant une heure.",
                     "en": "Enter your e-mail address. If an active account has it, you receive a link to choose a "
                     "new password; it works once, for one hour.",
                     "de": "Geben Sie Ihre E-Mail-Adresse ein. Gehört ein aktives Konto dazu, erhalten Sie einen Link "
                     "zur Wahl eines neuen Passworts; er funktioniert einmal, eine Stunde lang."},
    "send_reset_link": {"nl": "Link sturen", "fr": "Envoyer le lien", "en": "Send the link", "de": "Link senden"},
    "reset_sent": {"nl": "Als er een actief account met dit adres bestaat, is er een e-mail onderweg met een link "
                   "om een nieuw wachtwoord te kiezen. Kijk ook in uw map met ongewenste mail.",
                   "fr": "Si un compte actif existe avec cette adresse, un e-mail est en route avec un lien pour "
                   "choisir un nouveau mot de passe. Regardez aussi dans vos courriers indésirables.",
                   "en": "If an active account has this address, a mail with a link to choose a new password is on "
                   "its way. Look in your spam folder too.",
                   "de": "Wenn ein aktives Konto diese Adresse hat, ist eine E-Mail mit einem Link zur Wahl eines "
                   "neuen Passworts unterwegs. Sehen Sie auch im Spam-Ordner nach."},
    "choose_password": {"nl": "Wachtwoord kiezen", "fr": "Choisir un mot de passe", "en": "Choose a password",
                        "de": "Passwort wählen"},
    "welcome_invited": {"nl": "Welkom bij de persdienst. Kies een wachtwoord om u aan te melden.",
                        "fr": "Bienvenue au service de presse. Choisissez un mot de passe pour vous connecter.",
                        "en": "Welcome to the press office. Choose a password to sign in with.",
                        "de": "Willkommen in der Pressestelle. Wählen Sie ein Passwort für die Anmeldung."},
    "choose_new_password": {"nl": "Kies een nieuw wachtwoord. Overal waar u nog aangemeld bent, wordt u afgemeld.",
                            "fr": "Choisissez un nouveau mot de passe. Vous serez déconnecté partout où vous êtes "
                            "encore connecté.",
                            "en": "Choose a new password. Wherever you are still signed in, you will be signed out.",
                            "de": "Wählen Sie ein neues Passwort. Wo Sie noch angemeldet sind, werden Sie abgemeldet."},
    "password_rules": {"nl": "Minstens {min} tekens.", "fr": "Au moins {min} caractères.",
                       "en": "At least {min} characters.", "de": "Mindestens {min} Zeichen."},
    "new_password": {"nl": "Nieuw wachtwoord", "fr": "Nouveau mot de passe", "en": "New password",
                     "de": "Neues Passwort"},
    "repeat_password": {"nl": "Herhaal het wachtwoord", "fr": "Répétez le mot de passe", "en": "Repeat the password",
                        "de": "Passwort wiederholen"},
    "save_password": {"nl": "Wachtwoord opslaan", "fr": "Enregistrer le mot de passe", "en": "Save the password",
                      "de": "Passwort speichern"},
    "password_too_weak": {"nl": "Een wachtwoord heeft {min} tot {max} tekens, en niet alleen spaties.",
                          "fr": "Un mot de passe compte de {min} à {max} caractères, et pas seulement des espaces.",
                          "en": "A password has {min} to {max} characters, and not only spaces.",
                          "de": "Ein Passwort hat {min} bis {max} Zeichen und nicht nur Leerzeichen."},
    "passwords_differ": {"nl": "De twee wachtwoorden verschillen.", "fr": "Les deux mots de passe diffèrent.",
                         "en": "The two passwords differ.", "de": "Die beiden Passwörter unterscheiden sich."},
    "password_set": {"nl": "Uw wachtwoord is opgeslagen. Meld u aan.",
                     "fr": "Votre mot de passe est enregistré. Connectez-vous.",
                     "en": "Your password is saved. Please sign in.",
                     "de": "Ihr Passwort ist gespeichert. Bitte melden Sie sich an."},
    "link_unusable": {"nl": "Deze link werkt niet: hij werd al gebruikt, het account veranderde intussen, of hij was "
                      "nooit geldig. Vraag een nieuwe link.",
                      "fr": "Ce lien ne fonctionne pas : il a déjà servi, le compte a changé depuis, ou il n'a jamais "
                      "été valable. Demandez un nouveau lien.",
                      "en": "This link does not work: it was used already, the account changed since, or it was never "
                      "valid. Ask for a new link.",
                      "de": "Dieser Link funktioniert nicht: Er wurde schon benutzt, das Konto hat sich seitdem "
                      "geändert, oder er war nie gültig. Fordern Sie einen neuen Link an."},
    "link_expired": {"nl": "Deze link is verlopen. Vraag een nieuwe link.",
                     "fr": "Ce lien a expiré. Demandez un nouveau lien.",
                     "en": "This link has expired. Ask for a new link.",
                     "de": "Dieser Link ist abgelaufen. Fordern Sie einen neuen Link an."},
    "mobile": {"nl": "Gsm", "fr": "GSM", "en": "Mobile", "de": "Mobil"},
    "contacts_intro": {"nl": "De contactpersonen die onder persberichten staan. Iedereen kan er een toevoegen; een "
                       "bestaande wijzigen kan alleen een beheerder of de persoon zelf. Goedgekeurde berichten "
                       "behouden de gegevens waarmee ze goedgekeurd werden.",
                       "fr": "Les contacts imprimés sous les communiqués. Chacun peut en ajouter ; seul un "
                       "administrateur ou la personne elle-même modifie une fiche existante. Les communiqués "
                       "approuvés gardent les coordonnées avec lesquelles ils l'ont été.",
                       "en": "The contacts printed under releases. Anyone may add one; only an admin or that person "
                       "changes an existing entry. Approved releases keep the details they were approved with.",
                       "de": "Die Kontakte unter den Mitteilungen. Jeder kann einen hinzufügen; einen bestehenden "
                       "ändern nur ein Administrator oder die Person selbst. Freigegebene Mitteilungen behalten die "
                       "Angaben, mit denen sie freigegeben wurden."},
    "contact_edit_intro": {"nl": "Nieuwe persberichten krijgen deze gegevens; goedgekeurde niet.",
                           "fr": "Les nouveaux communiqués reprennent ces coordonnées ; les communiqués approuvés "
                           "non.",
                           "en": "New releases get these details; approved ones do not.",
                           "de": "Neue Mitteilungen erhalten diese Angaben; freigegebene nicht."},
    "contact_saved": {"nl": "Contactpersoon {name} opgeslagen.", "fr": "Contact {name} enregistré.",
                      "en": "Contact {name} saved.", "de": "Kontakt {name} gespeichert."},
    "account_invited": {"nl": "uitgenodigd", "fr": "invité", "en": "invited", "de": "eingeladen"},
    "account_invitation_resent": {"nl": "uitnodiging opnieuw gestuurd", "fr": "invitation renvoyée",
                                  "en": "invitation sent again", "de": "Einladung erneut gesendet"},
    "account_invitation_accepted": {"nl": "uitnodiging aanvaard", "fr": "invitation acceptée",
                                    "en": "invitation accepted", "de": "Einladung angenommen"},
    "account_role_changed": {"nl": "rol gewijzigd", "fr": "rôle modifié", "en": "role changed",
                             "de": "Rolle geändert"},
    "account_role_from_sso": {"nl": "rol gezet door de identiteitsprovider",
                              "fr": "rôle fixé par le fournisseur d'identité",
                              "en": "role set by the identity provider",
                              "de": "Rolle vom Identitätsanbieter gesetzt"},
    "account_deactivated": {"nl": "gedeactiveerd", "fr": "désactivé", "en": "deactivated", "de": "deaktiviert"},
    "account_reactivated": {"nl": "opnieuw geactiveerd", "fr": "réactivé", "en": "reactivated", "de": "reaktiviert"},
    "account_password_reset": {"nl": "wachtwoord opnieuw ingesteld", "fr": "mot de passe réinitialisé",
                               "en": "password reset", "de": "Passwort zurückgesetzt"},
    "account_second_factor_enrolled": {"nl": "aanmelden in twee stappen ingesteld",
                                       "fr": "connexion en deux étapes configurée",
                                       "en": "two-step sign-in set up",
                                       "de": "Anmeldung in zwei Schritten eingerichtet"},
    "account_second_factor_reset": {"nl": "aanmelden in twee stappen gereset",
                                    "fr": "connexion en deux étapes réinitialisée",
                                    "en": "two-step sign-in reset",
                                    "de": "Anmeldung in zwei Schritten zurückgesetzt"},
    "account_created": {"nl": "aangemaakt", "fr": "créé", "en": "created", "de": "angelegt"},
    "account_password_set": {"nl": "wachtwoord ingesteld", "fr": "mot de passe défini", "en": "password set",
                             "de": "Passwort festgelegt"},
    "last_sign_in": {"nl": "Laatst aangemeld", "fr": "Dernière connexion", "en": "Last signed in",
                     "de": "Zuletzt angemeldet"},
    "never_signed_in": {"nl": "nooit", "fr": "jamais", "en": "never", "de": "nie"},
}


def ui_language(code: str | None) -> str:
    """The UI language for a user preference or page language: nl, fr or en."""
    return code if code in UI_LANGUAGES else FALLBACK


def translate(key: str, language: str, **values: object) -> str:
    """The string `key` in `language` (English if missing), with `values` filled in."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(language) or entry[FALLBACK]
    return text.format(**values) if values else text


def negotiate(accept_language: str | None, choices: list[str] | None = None) -> str:
    """The first of `choices` (default: configured languages) the browser asks for."""
    options = choices or get_settings().languages
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in options:
            return code
    return get_settings().default_language if get_settings().default_language in options else options[0]


def format_time(value: datetime | str | None, language: str) -> str:
    """A date and time in the mail time zone, in the reader's language, the zone named by its
    city ("1 dec 2026, 23:25 (Brussel)"): people in the office think in local time, not UTC."""
    if value is None or value == "":
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    zone_name = get_settings().mail_timezone
    shown = format_datetime(moment, "d MMM y, HH:mm", tzinfo=ZoneInfo(zone_name), locale=language)
    return f"{shown} ({zone_city(zone_name, language)})"
