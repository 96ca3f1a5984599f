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
    "skip_to_content": {"nl": "Naar de inhoud", "fr": "Aller au contenu", "en": "Skip to content"},
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
    "action": {"nl": "Handeling", "fr": "Action", "en": "Action"},
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
