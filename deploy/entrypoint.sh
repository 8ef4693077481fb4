#!/bin/sh
# The container's entry point: bring the schema up to date, then become `commonplace`.
#
#     entrypoint.sh [COMMAND [ARGUMENT...]]        (no command means `run`)
#
# Migrations run first so that a bad one stops the container before the bot starts, with its
# error as the last thing in the log. AUTO_MIGRATE=false skips them: Kubernetes runs them once,
# in a Job, instead of letting every replica race to. `db` commands manage the schema
# themselves (`db current` must show the revision as it is, `db upgrade REV` must stop at REV),
# and options such as --help must not need a database, so neither migrates here.
set -eu

if [ "$#" -eq 0 ]; then
    set -- run
fi

token_in_dotenv() {
    # Settings also read ./.env; a token there is as good as one in the environment.
    [ -f .env ] && grep -Eq '^[[:space:]]*(export[[:space:]]+)?TELEGRAM_BOT_TOKEN[[:space:]]*=[[:space:]]*[^[:space:]]' .env
}

if [ "$1" = run ] && [ -z "${TELEGRAM_BOT_TOKEN:-}" ] && ! token_in_dotenv; then
    cat >&2 <<'EOF'
error: TELEGRAM_BOT_TOKEN is not set, so the bot cannot connect to Telegram.

Get a token from @BotFather in Telegram (/newbot), then pass it to the container:
  docker compose:  put TELEGRAM_BOT_TOKEN=123456:ABC... in deploy/.env
  docker run:      docker run -e TELEGRAM_BOT_TOKEN=123456:ABC... commonplace
  Kubernetes:      set TELEGRAM_BOT_TOKEN in the commonplace Secret
EOF
    exit 2
fi

# The same spellings of "false" that the bot's own settings accept.
auto_migrate=$(printf '%s' "${AUTO_MIGRATE:-true}" | tr '[:upper:]' '[:lower:]')
case "$auto_migrate" in
    false | f | 0 | no | n | off) migrate=no ;;
    *) migrate=yes ;;
esac
case "$1" in
    db | -*) migrate=no ;;
esac

if [ "$migrate" = yes ]; then
    # To stderr: stdout belongs to the command (`export` writes its document there).
    commonplace db upgrade >&2
fi

exec commonplace "$@"
