"""The audience: mailing lists, subscribers, consent, tokens, suppression and audience
resolution. Depends on `core` only; see subscribers/README.md for the behaviour in full.

    lists          create_list, update_list (a list receiving embargoed news must be private),
                   get_list, get_lists, all_lists, list_counts
    subscriptions  subscribe (public, double opt-in), add_subscriber (admin), confirm_by_token,
                   unsubscribe, unsubscribe_by_token, one_click_unsubscribe, unsubscribe_page,
                   confirmation_request (for the confirmation mail)
    preferences    preferences_by_token, update_preferences(_by_token), preferences_link
    suppression    suppress, unsuppress, find_suppression, list_suppressions
    importing      import_csv (file reading: import_file);  exporting: export_csv, export_rows
    audience       resolve_audience, mailable_subscribers, Recipient
    privacy        personal_data, forget
    tokens         the signed links and RFC 8058 headers
"""

from subscribers.audience import Recipient, mailable_subscribers, resolve_audience
from subscribers.errors import (
    AddressSuppressed,
    DuplicateList,
    EmbargoNeedsPrivateList,
    ExpiredToken,
    InvalidAddress,
    InvalidToken,
    ListNotFound,
    SubscriberNotFound,
    UndeliverableAddress,
)
from subscribers.exporting import export_csv, export_rows, neutralise
from subscribers.importing import DetailChange, ImportReport, RowProblem, SubscriberCsv, import_csv
from subscribers.lists import all_lists, create_list, get_list, get_lists, list_counts, update_list
from subscribers.models import (
    ConsentAction,
    ConsentRecord,
    Frequency,
    MailingList,
    Subscriber,
    SubscriberStatus,
    SubscriberTopic,
    Subscription,
    SubscriptionStatus,
    Suppression,
    SuppressionReason,
    Visibility,
)
from subscribers.people import find_subscriber, get_subscriber
from subscribers.preferences import (
    Preferences,
    preferences,
    preferences_by_token,
    preferences_link,
    update_preferences,
    update_preferences_by_token,
)
from subscribers.privacy import ErasureResult, forget, personal_data
from subscribers.subscriptions import (
    REQUESTED_EVENT,
    ConfirmationRequest,
    ConfirmOutcome,
    ConfirmResult,
    SubscribeOutcome,
    SubscribeResult,
    UnsubscribePage,
    UnsubscribeResult,
    add_subscriber,
    confirm_by_token,
    confirmation_request,
    one_click_unsubscribe,
    subscribe,
    unsubscribe,
    unsubscribe_by_token,
    unsubscribe_page,
)
from subscribers.suppression import find_suppression, list_suppressions, suppress, unsuppress
from subscribers.validation import hash_of, normalise_email

__all__ = [
    "REQUESTED_EVENT",
    "AddressSuppressed",
    "ConfirmOutcome",
    "ConfirmResult",
    "ConfirmationRequest",
    "ConsentAction",
    "ConsentRecord",
    "DetailChange",
    "DuplicateList",
    "EmbargoNeedsPrivateList",
    "ErasureResult",
    "ExpiredToken",
    "Frequency",
    "ImportReport",
    "InvalidAddress",
    "InvalidToken",
    "ListNotFound",
    "MailingList",
    "Preferences",
    "Recipient",
    "RowProblem",
    "SubscribeOutcome",
    "SubscribeResult",
    "Subscriber",
    "SubscriberCsv",
    "SubscriberNotFound",
    "SubscriberStatus",
    "SubscriberTopic",
    "Subscription",
    "SubscriptionStatus",
    "Suppression",
    "SuppressionReason",
    "UndeliverableAddress",
    "UnsubscribePage",
    "UnsubscribeResult",
    "Visibility",
    "add_subscriber",
    "all_lists",
    "confirm_by_token",
    "confirmation_request",
    "create_list",
    "export_csv",
    "export_rows",
    "find_subscriber",
    "find_suppression",
    "forget",
    "get_list",
    "get_lists",
    "get_subscriber",
    "hash_of",
    "import_csv",
    "list_counts",
    "list_suppressions",
    "mailable_subscribers",
    "neutralise",
    "normalise_email",
    "one_click_unsubscribe",
    "personal_data",
    "preferences",
    "preferences_by_token",
    "preferences_link",
    "resolve_audience",
    "subscribe",
    "suppress",
    "unsubscribe",
    "unsubscribe_by_token",
    "unsubscribe_page",
    "unsuppress",
    "update_list",
    "update_preferences",
    "update_preferences_by_token",
]
