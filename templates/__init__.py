"""Email templates (MJML + Jinja2, with plain-text twins), translations and the renderer.

Callers build plain inputs (`ReleaseInput`, `DigestInput`, …) from their rows, compile a message
once with `compile_message` (cached per revision, language and template) and personalise the
compiled message per recipient, which is cheap. This room imports only `core`.
"""

from templates.errors import (
    MissingTranslation,
    UnknownTemplate,
    UnsafeURL,
    UnsupportedLanguage,
    WrongInput,
)
from templates.i18n import SUPPORTED_LANGUAGES, format_dateline, language_name, translate
from templates.inputs import (
    AccountLinkInput,
    AlreadySubscribedInput,
    ChangesRequestedInput,
    ConfirmSubscriptionInput,
    ContactCard,
    DigestInput,
    DigestItem,
    DocumentItem,
    ImageItem,
    LinkItem,
    MailingProblemInput,
    MediaWords,
    PublishedReceiptInput,
    ReleaseInput,
    ReleaseText,
    RenderData,
    ReviewRequestInput,
    Sender,
    WithdrawalInput,
)
from templates.markup import is_safe_url, markdown_to_html, markdown_to_text, sanitise_html
from templates.renderer import (
    PERSONAL_FIELDS,
    TEMPLATE_NAMES,
    CompiledMessage,
    Personalisation,
    RenderedMessage,
    Renderer,
    compile_message,
    default_renderer,
    fill,
    release_template,
)

__all__ = [
    "PERSONAL_FIELDS",
    "SUPPORTED_LANGUAGES",
    "TEMPLATE_NAMES",
    "AccountLinkInput",
    "AlreadySubscribedInput",
    "ChangesRequestedInput",
    "CompiledMessage",
    "ConfirmSubscriptionInput",
    "ContactCard",
    "DigestInput",
    "DigestItem",
    "DocumentItem",
    "ImageItem",
    "LinkItem",
    "MailingProblemInput",
    "MediaWords",
    "MissingTranslation",
    "Personalisation",
    "PublishedReceiptInput",
    "ReleaseInput",
    "ReleaseText",
    "RenderData",
    "RenderedMessage",
    "Renderer",
    "ReviewRequestInput",
    "Sender",
    "UnknownTemplate",
    "UnsafeURL",
    "UnsupportedLanguage",
    "WithdrawalInput",
    "WrongInput",
    "compile_message",
    "default_renderer",
    "fill",
    "format_dateline",
    "is_safe_url",
    "language_name",
    "markdown_to_html",
    "markdown_to_text",
    "release_template",
    "sanitise_html",
    "translate",
]
