"""Every short message the bot says in chat, as catalog message ids (translated where sent)."""

from __future__ import annotations

from handlers.i18n import N_

THANKS = N_("Thank you! Your answers help us serve you better.")
REPEATED = N_("We already have this answer. Thank you!")
CHANGED = N_("Your answer was updated.")
ALREADY_COMPLETED = N_("You have already completed this survey. Thank you!")
CLOSED = N_("This survey has closed. Thank you for your time.")
OUT_OF_RANGE = N_("That answer is not on the scale, so nothing was saved. Please choose one of the options shown.")
INVALID_BUTTON = N_("This button is not valid, so nothing was saved.")
NOT_YET = N_("Please answer the current question first.")
EMPTY_TEXT = N_("Your message was empty, so nothing was saved.")
UNSTORABLE = N_("Your message contains characters we cannot store, so nothing was saved. Please type it again.")
TOO_LONG = N_("Your message is too long (%(max)d characters at most). Please shorten it and send it again.")
TYPE_A_NUMBER = N_("Please choose one of the options shown, or type a number from %(low)d to %(high)d.")
NO_OPEN_SURVEY = N_("Thanks for your message! There is no open survey right now. Send /help to see what I can do.")
WELCOME = N_("Welcome! I will send you a short survey after you talk to our team.")
OPTED_IN = N_("Welcome back! You will receive surveys again.")
OPTED_OUT = N_("You will not receive any more surveys. Send /start if you change your mind.")
OPTED_OUT_PRESS = N_("You have opted out of surveys, so nothing was saved. Send /start to take part again.")
LANGUAGE_SET = N_("Language set to English.")
PRIVATE_ONLY = N_("Surveys happen in a private chat. Please message me directly.")
TRY_AGAIN = N_("Sorry, we could not save that just now. Please try again in a minute.")
SOMETHING_WRONG = N_("Sorry, something went wrong on our side, so this was not saved. Please try again later.")
SUGGEST_PROMPT = N_(
    "Write your suggestion or complaint in your next message. It is stored without your name, your account "
    "or the time you sent it."
)
# Names every stored field of a suggestion (text, language, channel, sentiment, week): the promise is exact.
SUGGESTION_THANKS = N_(
    "Thank you! Your suggestion is saved anonymously. We keep only its text, its language, the app it came "
    "through, an estimate of its tone and the week it arrived: not your name, your account, this chat or the time."
)
SUGGESTION_LIMIT = N_("You have sent %(n)d suggestions today, the most we accept in a day. Please try again tomorrow.")
SUGGESTION_INVITE = N_(
    "Is there anything we could do better? Leave an anonymous suggestion: nobody, not even our administrators, "
    "can see who wrote it."
)
SUGGEST_BUTTON = N_("Leave a suggestion")
YOU_SAID_WE_DID = N_("You said: %(theme)s. We did: %(response)s")
# Slack's App Home and modals
HOME_TITLE = N_("Your feedback settings")
HOME_LANGUAGE = N_("Language of surveys and messages")
HOME_SURVEYS_ON = N_("You receive short surveys after you talk to our team.")
HOME_SURVEYS_OFF = N_("You do not receive surveys.")
HOME_STOP = N_("Stop receiving surveys")
HOME_RESUME = N_("Receive surveys again")
SUGGEST_TITLE = N_("Anonymous suggestion")
SUGGEST_LABEL = N_("Your suggestion or complaint")
SEND = N_("Send")
CANCEL = N_("Cancel")
ANSWER_TITLE = N_("Your answer")
WRITE_ANSWER = N_("Write my answer")
