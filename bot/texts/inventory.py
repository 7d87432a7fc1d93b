"""Sentences of the inventory: listing, import, export, history, status
changes told to project managers, task sync, roles."""

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "inventory.title": "Inventaire des batchs : {count}",
        "inventory.filters": "Filtres : {filters}",
        "inventory.none": "Aucun batch ne correspond à ces filtres.",
        "inventory.line": "{icon} {batch} — {client} — {server} — {category} — "
        "{environment} — {state}",
        "inventory.details": "    planification : {schedule} — créé le {created} "
        "par {admin} — tâche : {task}",
        "inventory.page": "Page {page} sur {pages}",
        "inventory.download": "Les mêmes lignes à télécharger (liens valables "
        "24 h) :\nCSV : {csv}\nExcel : {xlsx}",
        "inventory.previous": "◀ Page précédente",
        "inventory.next": "Page suivante ▶",
        "inventory.bad_filter": "Je ne comprends pas le filtre « {word} ». "
        "Filtrez avec server=, client=, category=, state=, environment= ou "
        "d'un mot : un serveur, un client, une catégorie (envoi, import, export, "
        "purge, tâche récurrente), un état (prêt, inactif, désactivé), un "
        "environnement (RecetteInterne, RecetteClient, Production).",
        "inventory.category.send": "envoi",
        "inventory.category.import": "import",
        "inventory.category.export": "export",
        "inventory.category.purge": "purge",
        "inventory.category.recurring": "tâche récurrente",
        "inventory.sync.title": "Synchronisation des tâches planifiées",
        "inventory.sync.done": "Tâches planifiées relues sur {servers} serveur(s) : "
        "{changes} changement(s) d'état enregistré(s).",
        "inventory.sync.unread": "Non relus : {servers}.",
        "history.title": "Historique de {batch}",
        "history.usage": "Précisez un batch : /batch history NOM",
        "history.unknown": "Aucun batch « {name} » dans l'inventaire.",
        "history.batch": "Sur {server} — client : {client} — état actuel : {state}",
        "history.none": "Aucun changement d'état enregistré.",
        "history.line": "{when} — {change} — {who} ({source})",
        "history.more": "… et {count} changement(s) plus ancien(s).",
        "change.moved": "{from_state} → {to_state}",
        "change.entered": "entre dans l'inventaire : {to_state}",
        "change.source.chat": "depuis le chat",
        "change.source.detected": "détecté sur le serveur",
        "change.source.import": "import de l'inventaire",
        "change.source.deploy": "déploiement",
        "notice.line": "{batch} ({server}, {client}) : {change}",
        "notice.by": "    {source} — {who}, le {when}",
        "notice.channel.title": "Changements d'état des batchs : {count}",
        "notice.channel.sub.chat": "Faits depuis le chat",
        "notice.channel.sub.detected": "Trouvés par la synchronisation des "
        "tâches planifiées",
        "notice.channel.sub.import": "Faits par l'import de l'inventaire",
        "notice.channel.sub.deploy": "Faits par un déploiement",
        "notice.manager.title": "Vos batchs : {count} changement(s) d'état",
        "notice.manager.why": "Vous recevez ce message en tant que chef de "
        "projet de : {clients}.",
        "notice.more": "… et {count} autre(s) : /batch history NOM pour le détail.",
        "sync.who": "batchops (synchronisation des tâches)",
        "sync.why.unknown_task": "tâche {task} trouvée sur le serveur, absente "
        "de l'inventaire",
        "sync.why.task_gone": "tâche {task} introuvable sur le serveur",
        "sync.why.task_state": "tâche {task} {task_state} sur le serveur",
        "role.viewer": "lecteur",
        "role.operator": "opérateur",
        "role.admin": "administrateur",
        "role.refused": "Il faut le rôle {needed} (ou plus) pour cela ; votre "
        "rôle est {role}. Un administrateur peut vous l'accorder : "
        "batchops users grant {user} {needed_id}",
        "import.at_line": "ligne {line} : {problem}",
        "import.unknown_format": "{name} : format inconnu ; enregistrez le "
        "tableau en .xlsx ou en .csv.",
        "import.bad_workbook": "{name} n'est pas un classeur Excel lisible (.xlsx).",
        "import.no_header": "{name} : aucune ligne d'en-têtes trouvée ; il faut "
        "au moins les colonnes Serveur et Nom du batch.",
        "import.missing_columns": "{name} : colonne(s) manquante(s) : {columns}.",
        "import.empty": "{column} est vide",
        "import.unknown_server": "serveur inconnu « {server} » : déclarez-le "
        "d'abord avec batchops servers add {server} --host HÔTE",
        "import.bad_value": "{column} : « {value} » n'est pas une valeur connue "
        "({allowed})",
        "import.bad_date": "{column} : « {value} » n'est pas une date (jj/mm/aaaa)",
        "import.bad_jid": "{column} : « {value} » n'est pas un JID Zoom "
        "(nom@xmpp.zoom.us)",
        "import.too_long": "{column} dépasse {limit} caractères",
        "import.duplicate": "{batch} sur {server} figure déjà ligne {first}",
        "import.client_conflict": "{column} du client {client} diffère de "
        "la ligne {first}",
        "import.refused": "{count} ligne(s) en erreur : rien n'est importé. "
        "Corrigez-les et relancez l'import, ou importez les autres avec "
        "--skip-bad-rows.",
        "import.skipped": "{count} ligne(s) écartée(s), les autres sont importées.",
        "import.done": "{name} : {rows} ligne(s) importée(s) — {created} batch(s) "
        "nouveau(x), {changes} changement(s) d'état.",
        "import.why": "import de {name}, ligne {line}",
        "notice.sent": "Prévenus : {messages} message(s) aux chefs de projet "
        "et au canal.",
        "notice.failed": "Non prévenu, nouvel essai à la prochaine "
        "synchronisation : {failures}",
        "export.done": "{count} batch(s) écrits dans {path}",
        "users.granted": "{user} a maintenant le rôle {role}.",
        "users.revoked": "{user} n'a plus de rôle accordé : il est {role}, "
        "comme tout inconnu.",
        "users.unknown": "{user} n'a pas de rôle accordé.",
        "users.none": "Aucun rôle accordé : tout le monde est {role}.",
        "clients.saved": "Client {client} : chef de projet {manager} "
        "({jid}), canal {channel}.",
        "clients.none": "Aucun client.",
    },
    "en": {
        "inventory.title": "Batch inventory: {count}",
        "inventory.filters": "Filters: {filters}",
        "inventory.none": "No batch matches these filters.",
        "inventory.line": "{icon} {batch} — {client} — {server} — {category} — "
        "{environment} — {state}",
        "inventory.details": "    schedule: {schedule} — created on {created} "
        "by {admin} — task: {task}",
        "inventory.page": "Page {page} of {pages}",
        "inventory.download": "The same rows to download (links valid for "
        "24 h):\nCSV: {csv}\nExcel: {xlsx}",
        "inventory.previous": "◀ Previous page",
        "inventory.next": "Next page ▶",
        "inventory.bad_filter": "I don't understand the filter “{word}”. Filter "
        "with server=, client=, category=, state=, environment= or a word: a "
        "server, a client, a category (send, import, export, purge, recurring), "
        "a state (ready, inactive, disabled), an environment (RecetteInterne, "
        "RecetteClient, Production).",
        "inventory.category.send": "send",
        "inventory.category.import": "import",
        "inventory.category.export": "export",
        "inventory.category.purge": "purge",
        "inventory.category.recurring": "recurring",
        "inventory.sync.title": "Scheduled task sync",
        "inventory.sync.done": "Scheduled tasks read again on {servers} "
        "server(s): {changes} state change(s) recorded.",
        "inventory.sync.unread": "Not read: {servers}.",
        "history.title": "History of {batch}",
        "history.usage": "Name a batch: /batch history NAME",
        "history.unknown": "No batch “{name}” in the inventory.",
        "history.batch": "On {server} — client: {client} — state now: {state}",
        "history.none": "No state change recorded.",
        "history.line": "{when} — {change} — {who} ({source})",
        "history.more": "… and {count} older change(s).",
        "change.moved": "{from_state} → {to_state}",
        "change.entered": "enters the inventory: {to_state}",
        "change.source.chat": "from the chat",
        "change.source.detected": "detected on the server",
        "change.source.import": "inventory import",
        "change.source.deploy": "deploy",
        "notice.line": "{batch} ({server}, {client}): {change}",
        "notice.by": "    {source} — {who}, on {when}",
        "notice.channel.title": "Batch state changes: {count}",
        "notice.channel.sub.chat": "Made from the chat",
        "notice.channel.sub.detected": "Found by the scheduled task sync",
        "notice.channel.sub.import": "Made by the inventory import",
        "notice.channel.sub.deploy": "Made by a deploy",
        "notice.manager.title": "Your batches: {count} state change(s)",
        "notice.manager.why": "You get this message as the project manager of: "
        "{clients}.",
        "notice.more": "… and {count} more: /batch history NAME for the details.",
        "sync.who": "batchops (task sync)",
        "sync.why.unknown_task": "task {task} found on the server, not in the "
        "inventory",
        "sync.why.task_gone": "task {task} not found on the server",
        "sync.why.task_state": "task {task} {task_state} on the server",
        "role.viewer": "viewer",
        "role.operator": "operator",
        "role.admin": "admin",
        "role.refused": "This needs the {needed} role (or above); your role is "
        "{role}. An admin can grant it: batchops users grant {user} {needed_id}",
        "import.at_line": "line {line}: {problem}",
        "import.unknown_format": "{name}: unknown format; save the sheet as "
        ".xlsx or .csv.",
        "import.bad_workbook": "{name} is not a readable Excel workbook (.xlsx).",
        "import.no_header": "{name}: no header line found; it needs at least the "
        "Server and Batch name columns.",
        "import.missing_columns": "{name}: missing column(s): {columns}.",
        "import.empty": "{column} is empty",
        "import.unknown_server": "unknown server “{server}”: declare it first "
        "with batchops servers add {server} --host HOST",
        "import.bad_value": "{column}: “{value}” is not a known value ({allowed})",
        "import.bad_date": "{column}: “{value}” is not a date (dd/mm/yyyy)",
        "import.bad_jid": "{column}: “{value}” is not a Zoom JID (name@xmpp.zoom.us)",
        "import.too_long": "{column} is longer than {limit} characters",
        "import.duplicate": "{batch} on {server} is already on line {first}",
        "import.client_conflict": "{column} of client {client} differs from "
        "line {first}",
        "import.refused": "{count} bad row(s): nothing imported. Fix them and "
        "import again, or import the others with --skip-bad-rows.",
        "import.skipped": "{count} row(s) left out, the others are imported.",
        "import.done": "{name}: {rows} row(s) imported — {created} new "
        "batch(es), {changes} state change(s).",
        "import.why": "import of {name}, line {line}",
        "notice.sent": "Told: {messages} message(s) to project managers and "
        "the channel.",
        "notice.failed": "Not told, tried again at the next sync: {failures}",
        "export.done": "{count} batch(es) written to {path}",
        "users.granted": "{user} now has the {role} role.",
        "users.revoked": "{user} has no granted role any more: a {role}, like "
        "anyone unknown.",
        "users.unknown": "{user} has no granted role.",
        "users.none": "No role granted: everyone is a {role}.",
        "clients.saved": "Client {client}: project manager {manager} ({jid}), "
        "channel {channel}.",
        "clients.none": "No client.",
    },
}
