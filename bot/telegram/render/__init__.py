"""Every word the bot says, rendered as Telegram HTML, and every keyboard it shows.

Everything interpolated is escaped here, and nowhere else is text for a reader built.
Telegram counts a message's length after its HTML is parsed, in UTF-16 code units.
Handlers use the package as one renderer (``render.welcome(...)``); its modules are split by
what is said: a highlight, the library, the conversation.
"""

from bot.plural import (
    counted as counted,
)
from bot.telegram.render._text import (
    MAX_MESSAGE as MAX_MESSAGE,
)
from bot.telegram.render._text import (
    RESULTS_PER_PAGE as RESULTS_PER_PAGE,
)
from bot.telegram.render._text import (
    SNIPPET as SNIPPET,
)
from bot.telegram.render._text import (
    fit as fit,
)
from bot.telegram.render._text import (
    hashtag as hashtag,
)
from bot.telegram.render._text import (
    hashtags as hashtags,
)
from bot.telegram.render._text import (
    snippet as snippet,
)
from bot.telegram.render._text import (
    split_text as split_text,
)
from bot.telegram.render._text import (
    utf16_len as utf16_len,
)
from bot.telegram.render.books import (
    BOOK_GONE as BOOK_GONE,
)
from bot.telegram.render.books import (
    book_keyboard as book_keyboard,
)
from bot.telegram.render.books import (
    book_text as book_text,
)
from bot.telegram.render.books import (
    books_keyboard as books_keyboard,
)
from bot.telegram.render.books import (
    books_text as books_text,
)
from bot.telegram.render.books import (
    frequency_set as frequency_set,
)
from bot.telegram.render.conversation import (
    ALL_DISCARDED as ALL_DISCARDED,
)
from bot.telegram.render.conversation import (
    DAYS_USAGE as DAYS_USAGE,
)
from bot.telegram.render.conversation import (
    HELP_INTROS as HELP_INTROS,
)
from bot.telegram.render.conversation import (
    HELP_OUTROS as HELP_OUTROS,
)
from bot.telegram.render.conversation import (
    IMPORT_HELP as IMPORT_HELP,
)
from bot.telegram.render.conversation import (
    MODE_SET as MODE_SET,
)
from bot.telegram.render.conversation import (
    MODES as MODES,
)
from bot.telegram.render.conversation import (
    NOT_A_HIGHLIGHT as NOT_A_HIGHLIGHT,
)
from bot.telegram.render.conversation import (
    NOT_A_REPLY as NOT_A_REPLY,
)
from bot.telegram.render.conversation import (
    NOT_ALLOWED as NOT_ALLOWED,
)
from bot.telegram.render.conversation import (
    PAUSE_USAGE as PAUSE_USAGE,
)
from bot.telegram.render.conversation import (
    PAUSED as PAUSED,
)
from bot.telegram.render.conversation import (
    PROCESSING as PROCESSING,
)
from bot.telegram.render.conversation import (
    RESUMED as RESUMED,
)
from bot.telegram.render.conversation import (
    SOMETHING_WRONG as SOMETHING_WRONG,
)
from bot.telegram.render.conversation import (
    UNKNOWN_HIGHLIGHT as UNKNOWN_HIGHLIGHT,
)
from bot.telegram.render.conversation import (
    Confirmation as Confirmation,
)
from bot.telegram.render.conversation import (
    card_usage as card_usage,
)
from bot.telegram.render.conversation import (
    days_set as days_set,
)
from bot.telegram.render.conversation import (
    days_shown as days_shown,
)
from bot.telegram.render.conversation import (
    days_words as days_words,
)
from bot.telegram.render.conversation import (
    error as error,
)
from bot.telegram.render.conversation import (
    file_too_big as file_too_big,
)
from bot.telegram.render.conversation import (
    help_text as help_text,
)
from bot.telegram.render.conversation import (
    import_failed as import_failed,
)
from bot.telegram.render.conversation import (
    import_progress as import_progress,
)
from bot.telegram.render.conversation import (
    import_report as import_report,
)
from bot.telegram.render.conversation import (
    local_day as local_day,
)
from bot.telegram.render.conversation import (
    mode_set as mode_set,
)
from bot.telegram.render.conversation import (
    mode_usage as mode_usage,
)
from bot.telegram.render.conversation import (
    not_allowed as not_allowed,
)
from bot.telegram.render.conversation import (
    review_size_set as review_size_set,
)
from bot.telegram.render.conversation import (
    review_usage as review_usage,
)
from bot.telegram.render.conversation import (
    settings_text as settings_text,
)
from bot.telegram.render.conversation import (
    snoozed as snoozed,
)
from bot.telegram.render.conversation import (
    time_set as time_set,
)
from bot.telegram.render.conversation import (
    timezone_set as timezone_set,
)
from bot.telegram.render.conversation import (
    unknown_command as unknown_command,
)
from bot.telegram.render.conversation import (
    usage as usage,
)
from bot.telegram.render.conversation import (
    weight_set as weight_set,
)
from bot.telegram.render.conversation import (
    welcome as welcome,
)
from bot.telegram.render.highlights import (
    highlight_keyboard as highlight_keyboard,
)
from bot.telegram.render.highlights import (
    highlight_messages as highlight_messages,
)
from bot.telegram.render.highlights import (
    tags_panel as tags_panel,
)
from bot.telegram.render.library import (
    BUTTON_EXPIRED as BUTTON_EXPIRED,
)
from bot.telegram.render.library import (
    EMPTY_LIBRARY as EMPTY_LIBRARY,
)
from bot.telegram.render.library import (
    EXPORT_CAPTIONS as EXPORT_CAPTIONS,
)
from bot.telegram.render.library import (
    EXPORT_CHOICES as EXPORT_CHOICES,
)
from bot.telegram.render.library import (
    EXPORT_MENU as EXPORT_MENU,
)
from bot.telegram.render.library import (
    FORMAT_LIST as FORMAT_LIST,
)
from bot.telegram.render.library import (
    SEARCH_TIPS as SEARCH_TIPS,
)
from bot.telegram.render.library import (
    SEARCH_USAGE as SEARCH_USAGE,
)
from bot.telegram.render.library import (
    export_keyboard as export_keyboard,
)
from bot.telegram.render.library import (
    search_keyboard as search_keyboard,
)
from bot.telegram.render.library import (
    search_results as search_results,
)
from bot.telegram.render.library import (
    stats_text as stats_text,
)
from bot.telegram.render.library import (
    tag_list as tag_list,
)
from bot.telegram.render.library import (
    tag_toggled as tag_toggled,
)
from bot.telegram.render.review import (
    REVIEW_ALREADY_SENT as REVIEW_ALREADY_SENT,
)
from bot.telegram.render.review import (
    STREAK_USAGE as STREAK_USAGE,
)
from bot.telegram.render.review import (
    card_action_said as card_action_said,
)
from bot.telegram.render.review import (
    card_text as card_text,
)
from bot.telegram.render.review import (
    review_keyboard as review_keyboard,
)
from bot.telegram.render.review import (
    review_messages as review_messages,
)
from bot.telegram.render.review import (
    streak_words as streak_words,
)
from bot.telegram.render.review import (
    streaks_set as streaks_set,
)
from bot.telegram.render.sharing import (
    inline_results as inline_results,
)
from bot.telegram.render.sharing import (
    shared_text as shared_text,
)
from bot.telegram.render.sharing import (
    start_button as start_button,
)
from bot.telegram.render.themes import (
    NO_THEMES as NO_THEMES,
)
from bot.telegram.render.themes import (
    THEME_USAGE as THEME_USAGE,
)
from bot.telegram.render.themes import (
    theme_already_sent as theme_already_sent,
)
from bot.telegram.render.themes import (
    theme_deleted as theme_deleted,
)
from bot.telegram.render.themes import (
    theme_empty as theme_empty,
)
from bot.telegram.render.themes import (
    theme_saved as theme_saved,
)
from bot.telegram.render.themes import (
    theme_scheduled as theme_scheduled,
)
from bot.telegram.render.themes import (
    themes_text as themes_text,
)
