"""Sentences of the core: help, refusals, status, alerts, servers."""

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "help.title": "Commandes batchops",
        "help.usage": "Tapez /batch suivi d'une commande, par exemple /batch status.",
        "unknown.title": "Commande inconnue",
        "unknown.text": "Je ne connais pas « {word} ».",
        "unknown.suggest": "Vouliez-vous dire « {suggestion} » ?",
        "unknown.list": "Commandes : {names}",
        "apology.title": "Désolé, une erreur interne est survenue",
        "apology.text": (
            "La commande n'a pas abouti. L'erreur est consignée dans le journal "
            "de batchops (réf. {ref}). Réessayez dans un instant."
        ),
        "refused.title": "Refusé",
        "command.too_long": "Commande trop longue (plus de {limit} caractères) : "
        "tapez la commande seule, sans texte collé.",
        "status.title": "État des batchs",
        "status.filtered": "État des batchs : {name}",
        "status.none": "Aucun batch ne correspond à « {name} ».",
        "status.empty": "Aucun batch dans l'inventaire. Importez-le : "
        "batchops inventory import FICHIER.csv",
        "status.line": "{icon} {batch} — {client} — {server} — {state} — "
        "dernier scan : {scan} — erreurs 24 h : {errors}",
        "status.more": "… et {count} autres : précisez un batch, un client ou "
        "un serveur.",
        "status.never": "jamais",
        "status.last_error": " (dernière : {when})",
        "status.scan_failed": "échec ({reason})",
        "state.ready": "prêt",
        "state.inactive": "inactif",
        "state.disabled": "désactivé",
        "alert.title": "Erreur dans {batch}",
        "alert.returning": "Erreur de retour dans {batch}",
        "alert.batch": "Batch",
        "alert.client": "Client",
        "alert.server": "Serveur",
        "alert.date": "Date",
        "alert.count": "Occurrences depuis la dernière alerte",
        "alert.file": "Fichier",
        "alert.ack": "Prendre en charge",
        "alert.silence": "Silence 24 h",
        "alert.acked": "Pris en charge par {user} le {when}",
        "alert.silenced": "Mis en silence 24 h par {user} le {when}",
        "alert.gone": "Ce groupe d'erreurs n'existe plus.",
        "digest.title": "{groups} types d'erreur ({entries} lignes) dans {batches} "
        "batchs",
        "digest.hint": "Trop d'alertes à la fois : en voici le résumé. "
        "Détail : /batch status NOM",
        "digest.line": "{batch} — {client} — {server} : {groups} type(s) "
        "d'erreur, {entries} ligne(s)",
        "digest.more": "… et {count} autres batchs.",
        "server.down.title": "Serveur injoignable : {server}",
        "server.down.text": "{reason}. Les batchs de ce serveur ne sont plus "
        "surveillés jusqu'à son retour.",
        "server.back.title": "Serveur de retour : {server}",
        "server.back.text": "Le serveur répond de nouveau depuis le {when}.",
        "task.line": "tâche : {state} — dernière exécution : {last_run} "
        "({result}) — prochaine : {next_run} — exécutions manquées : {missed}",
        "task.unknown": "tâche : état inconnu ({reason})",
        "task.stale": "[relevé du {when} : {reason}]",
        "task.state.ready": "prête",
        "task.state.running": "en cours",
        "task.state.disabled": "désactivée",
        "task.state.queued": "en file d'attente",
        "task.state.unknown": "inconnue",
        "task.state.missing": "introuvable sur le serveur",
        "none": "—",
    },
    "en": {
        "help.title": "batchops commands",
        "help.usage": "Type /batch followed by a command, for example /batch status.",
        "unknown.title": "Unknown command",
        "unknown.text": "I don't know “{word}”.",
        "unknown.suggest": "Did you mean “{suggestion}”?",
        "unknown.list": "Commands: {names}",
        "apology.title": "Sorry, something went wrong inside batchops",
        "apology.text": (
            "The command did not complete. The error is in batchops' log "
            "(ref. {ref}). Try again in a moment."
        ),
        "refused.title": "Refused",
        "command.too_long": "Command too long (over {limit} characters): type "
        "the command alone, without pasted text.",
        "status.title": "Batch status",
        "status.filtered": "Batch status: {name}",
        "status.none": "No batch matches “{name}”.",
        "status.empty": "The inventory is empty. Import it: "
        "batchops inventory import FILE.csv",
        "status.line": "{icon} {batch} — {client} — {server} — {state} — "
        "last scan: {scan} — errors 24 h: {errors}",
        "status.more": "… and {count} more: name a batch, a client or a server.",
        "status.never": "never",
        "status.last_error": " (last: {when})",
        "status.scan_failed": "failed ({reason})",
        "state.ready": "ready",
        "state.inactive": "inactive",
        "state.disabled": "disabled",
        "alert.title": "Error in {batch}",
        "alert.returning": "Error back in {batch}",
        "alert.batch": "Batch",
        "alert.client": "Client",
        "alert.server": "Server",
        "alert.date": "Date",
        "alert.count": "Occurrences since the last alert",
        "alert.file": "File",
        "alert.ack": "Acknowledge",
        "alert.silence": "Silence 24 h",
        "alert.acked": "Acknowledged by {user} on {when}",
        "alert.silenced": "Silenced for 24 h by {user} on {when}",
        "alert.gone": "This error group no longer exists.",
        "digest.title": "{groups} kinds of error ({entries} lines) in {batches} "
        "batches",
        "digest.hint": "Too many alerts at once: here is their summary. "
        "Details: /batch status NAME",
        "digest.line": "{batch} — {client} — {server}: {groups} kind(s) of "
        "error, {entries} line(s)",
        "digest.more": "… and {count} more batches.",
        "server.down.title": "Server unreachable: {server}",
        "server.down.text": "{reason}. This server's batches are not watched "
        "until it is back.",
        "server.back.title": "Server back: {server}",
        "server.back.text": "The server answers again since {when}.",
        "task.line": "task: {state} — last run: {last_run} ({result}) — "
        "next: {next_run} — missed runs: {missed}",
        "task.unknown": "task: state unknown ({reason})",
        "task.stale": "[as read on {when}: {reason}]",
        "task.state.ready": "ready",
        "task.state.running": "running",
        "task.state.disabled": "disabled",
        "task.state.queued": "queued",
        "task.state.unknown": "unknown",
        "task.state.missing": "not found on the server",
        "none": "—",
    },
}
