"""Sentences of deploys, disables and enables: usage, refusals, the plan
card and its steps, artifacts and archives, schedules."""

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "deploy.usage": "Usage : /batch deploy BATCH to ENVIRONNEMENT [on SERVEUR] "
        "[ARCHIVE.zip] [PLANIFICATION] [client=NOM] [category=CATÉGORIE] "
        "[sha256=EMPREINTE]. Environnements : RecetteInterne, puis RecetteClient, "
        "puis Production. Planification : daily 02:30, weekly lun,jeu 06:00, "
        "monthly 1,15 03:00 ou monthly dernier 23:00.",
        "deploy.bad_batch": "« {word} » ne peut pas nommer un batch : ni \\ / : * "
        '? " < > |, ni point ou espace au bout.',
        "deploy.bad_environment": "« {word} » n'est pas un environnement : "
        "RecetteInterne, RecetteClient ou Production.",
        "deploy.unknown_word": "Je ne comprends pas « {word} ». Tapez "
        "/batch help deploy pour l'usage.",
        "deploy.bad_category": "« {word} » n'est pas une catégorie : envoi, "
        "import, export, purge ou tâche récurrente.",
        "deploy.bad_sha256": "« {word} » n'est pas une empreinte SHA-256 "
        "(64 caractères hexadécimaux).",
        "deploy.unknown_server": "Aucun serveur « {server} » : batchops servers "
        "list montre ceux qui sont déclarés.",
        "deploy.server_elsewhere": "{server} n'accueille pas l'environnement "
        "{environment}, seulement : {hosts}.",
        "deploy.which_server": "Sur quel serveur déployer {batch} en "
        "{environment} ? Précisez « on SERVEUR » parmi : {choices}.",
        "deploy.skipped": "{batch} ne peut pas aller en {environment} : il "
        "n'a pas de copie en {earlier}. Les environnements se suivent : "
        "RecetteInterne, RecetteClient, puis Production.",
        "deploy.not_ran": "{batch} ne peut pas aller en Production : sa copie "
        "en RecetteClient sur {server} n'a pas encore tourné depuis son "
        "déploiement (ni exécution de sa tâche, ni battement, ni ligne de log).",
        "deploy.ran_badly": "{batch} ne peut pas aller en Production : sa "
        "dernière exécution en RecetteClient sur {server} a échoué. Corrigez et "
        "faites-le tourner avec succès d'abord.",
        "deploy.would_replace": "{server} tient déjà la copie de {batch} en "
        "{holds} : y déployer {environment} la remplacerait. Choisissez un autre "
        "serveur avec « on SERVEUR ».",
        "deploy.other_artifact": "{batch} ne peut aller en Production qu'avec "
        "l'archive qui a tourné en {environment} : {ran} ({ran_sha256}…), pas "
        "{artifact} ({sha256}…).",
        "deploy.needs_client": "{batch} est nouveau : précisez son client avec "
        'client="NOM DU CLIENT".',
        "deploy.unknown_client": "Aucun client « {client} ». Déclarez-le : "
        'batchops clients set "{client}" --domain DOMAINE',
        "deploy.no_domain": "Le client {client} n'a pas de domaine, que le "
        'lanceur passe au batch : batchops clients set "{client}" --domain '
        "DOMAINE",
        "deploy.bad_domain": "Le domaine du client {client} n'en est pas un : "
        "« {domain} ».",
        "deploy.needs_artifact": "Quelle archive déployer pour {batch} ? "
        "Donnez son nom dans le dépôt, par exemple {batch}-1.0.0.zip.",
        "deploy.needs_schedule": "Quand {batch} doit-il tourner ? Donnez une "
        "planification : daily 02:30, weekly lun,jeu 06:00 ou monthly 1,15 03:00.",
        "deploy.task_description": "{batch}, déployé par batchops.",
        "deploy.why": "déployé en {environment} par {who} (archive {artifact}, "
        "SHA-256 {sha256}…), confirmé par {confirmed}",
        "disable.usage": "Usage : /batch disable BATCH [raison] (ou SERVEUR/BATCH).",
        "enable.usage": "Usage : /batch enable BATCH (ou SERVEUR/BATCH).",
        "disable.already": "{batch} ({server}) est déjà désactivé : rien ne change.",
        "disable.inactive": "{batch} ({server}) est inactif : sa tâche n'est "
        "plus sur le serveur, il n'y a rien à désactiver.",
        "enable.already": "{batch} ({server}) est déjà actif : rien ne change.",
        "enable.inactive": "{batch} ({server}) est inactif : sa tâche n'est plus "
        "sur le serveur. Déployez-le de nouveau.",
        "disable.why": "désactivé depuis le chat par {who}",
        "enable.why": "réactivé depuis le chat par {who}",
        "plan.unknown_batch": "Aucun batch « {name} » dans l'inventaire.",
        "plan.ambiguous": "Plusieurs batchs s'appellent « {name} » : précisez "
        "lequel parmi {choices}.",
        "plan.nothing.title": "Rien à faire",
        "plan.title.deploy": "Déployer {batch} en {environment} ?",
        "plan.title.disable": "Désactiver {batch} ?",
        "plan.title.enable": "Activer {batch} ?",
        "plan.running.deploy": "Déploiement de {batch} en {environment} en cours",
        "plan.running.disable": "Désactivation de {batch} en cours",
        "plan.running.enable": "Activation de {batch} en cours",
        "plan.done.deploy": "✅ {batch} déployé en {environment}",
        "plan.done.disable": "✅ {batch} désactivé",
        "plan.done.enable": "✅ {batch} activé",
        "plan.failed.deploy": "❌ Échec du déploiement de {batch} en {environment}",
        "plan.failed.disable": "❌ Échec de la désactivation de {batch}",
        "plan.failed.enable": "❌ Échec de l'activation de {batch}",
        "plan.cancelled.title": "Annulé : {batch}",
        "plan.sub.preview": "Sur {server} — demandé par {who} — à confirmer "
        "avant {until}",
        "plan.sub.waiting": "Sur {server} — confirmé par {who} — un second "
        "admin doit confirmer avant {until}",
        "plan.sub.running": "Sur {server} — confirmé par {who}",
        "plan.sub.asked": "Sur {server} — demandé par {who}",
        "plan.field.batch": "Batch",
        "plan.field.client": "Client",
        "plan.field.environment": "Environnement",
        "plan.field.server": "Serveur",
        "plan.field.artifact": "Archive",
        "plan.field.schedule": "Planification",
        "plan.field.state": "État",
        "plan.field.reason": "Raison",
        "plan.steps": "Étapes :",
        "plan.step.line": "{icon} {number}. [{where}] {what}",
        "plan.step.fetch_artifact": "Récupérer l'archive {artifact} ({size}) "
        "depuis {source} et vérifier son SHA-256 {sha256}",
        "plan.step.set_aside": "Mettre de côté la version en place, s'il y en a "
        "une : {path} → {aside}",
        "plan.step.make_folder.execution": "Créer le dossier d'exécution {path}",
        "plan.step.make_folder.logs": "Créer le dossier de logs {path}",
        "plan.step.unpack": "Déposer l'archive et la décompresser dans {path} "
        "({files} fichiers)",
        "plan.step.configure": "Régler {path} : {settings}",
        "plan.step.write_launcher": "Écrire le lanceur {path} : "
        "DOTNET_ENVIRONMENT et ASPNETCORE_ENVIRONMENT = {environment}, lance "
        '"{executable}" pour le domaine {domain}',
        "plan.step.register_task": "Enregistrer la tâche planifiée {task} : {schedule}",
        "plan.step.record_deploy": "Inscrire le batch à l'inventaire "
        "({environment}, {client}, {category}, prêt), enregistrer le changement "
        "de statut et prévenir le chef de projet",
        "plan.step.set_task_state.disable": "Désactiver la tâche planifiée {task}",
        "plan.step.set_task_state.enable": "Activer la tâche planifiée {task}",
        "plan.step.record_state": "Passer le batch à l'état {state} dans "
        "l'inventaire, enregistrer le changement et prévenir le chef de projet",
        "plan.replaces": "Remplace la copie en {environment} sur ce serveur "
        "(état {state}).",
        "plan.ran": "A tourné en {environment} sur {server} : {source} du {when}.",
        "plan.ran.task": "exécution de sa tâche",
        "plan.ran.heartbeat": "battement de fin",
        "plan.ran.log": "log sans erreur",
        "plan.go_live": "Mise en production : un second admin doit confirmer.",
        "plan.confirm": "Confirmer",
        "plan.confirm_second": "Confirmer (second admin)",
        "plan.cancel": "Annuler",
        "plan.failed.text": "L'étape {number} ({what}) a échoué : {reason}",
        "plan.failed.undone": "Ce que le déploiement avait fait a été défait.",
        "plan.failed.undo_failed": "Certaines étapes n'ont pas pu être défaites "
        "(⚠️) : vérifiez le serveur à la main.",
        "plan.done.text": "Changement de statut enregistré ; le canal et le chef "
        "de projet sont prévenus.",
        "plan.cancelled.text": "Annulé par {who} le {when}.",
        "plan.internal": "erreur interne (réf. {ref}, voir le journal de batchops)",
        "plan.bad_token": "Ce bouton n'est pas valide (signature incorrecte ou "
        "altérée) : relancez la commande.",
        "plan.expired": "Ce plan a expiré le {when} : relancez la commande pour "
        "en obtenir un nouveau.",
        "plan.gone": "Ce plan n'existe plus : relancez la commande.",
        "plan.changed": "Le plan a changé depuis l'aperçu : {detail} Relancez "
        "la commande pour voir le nouveau plan.",
        "plan.changed.detail": "l'inventaire, le serveur ou l'archive ne sont "
        "plus ceux de l'aperçu.",
        "plan.not_yours": "Seul·e {name}, qui a demandé ce plan, peut le "
        "confirmer ou l'annuler.",
        "plan.second_other": "Une mise en production demande la confirmation "
        "d'un second admin, autre que {names}.",
        "plan.second_needed": "Vous avez déjà confirmé : un second admin doit "
        "maintenant confirmer.",
        "plan.status.running": "Ce plan est déjà en cours.",
        "plan.status.done": "Ce plan a déjà été exécuté.",
        "plan.status.failed": "Ce plan a déjà été tenté et a échoué : relancez "
        "la commande.",
        "plan.status.cancelled": "Ce plan a été annulé.",
        "plan.taken": "Un autre clic vient de traiter ce plan.",
        "schedule.daily": "tous les jours à {at}",
        "schedule.weekly": "chaque semaine le {days} à {at}",
        "schedule.monthly": "chaque mois le {days} à {at}",
        "schedule.every_days": "tous les {count} jours à {at}",
        "schedule.monthly_dow": "chaque mois, semaine(s) {weeks}, le {days} à {at}",
        "schedule.other": "déclencheur {kind} à {at}",
        "schedule.last": "dernier",
        "schedule.incomplete": "« {word} » attend un jour et une heure : daily "
        "02:30, weekly lun,jeu 06:00, monthly 1,15 03:00.",
        "schedule.bad_time": "« {word} » n'est pas une heure (02:30 ou 02h30).",
        "schedule.bad_day": "« {word} » n'est pas un jour de la semaine (lun, "
        "mar… ou mon, tue…).",
        "schedule.bad_month_day": "« {word} » n'est pas un jour du mois (1 à 31, "
        "ou dernier).",
        "day.Monday": "lun",
        "day.Tuesday": "mar",
        "day.Wednesday": "mer",
        "day.Thursday": "jeu",
        "day.Friday": "ven",
        "day.Saturday": "sam",
        "day.Sunday": "dim",
        "artifact.bad_name": "« {name} » n'est pas un nom d'archive : un chemin "
        "relatif dans le dépôt, finissant par .zip, sans « .. ».",
        "artifact.mismatch": "L'archive {name} ne correspond pas à son empreinte "
        "SHA-256 : attendue {expected}…, reçue {found}…. Elle n'est pas déployée.",
        "artifact.bad_checksum": "Le fichier {name}.sha256 ne contient pas une "
        "empreinte SHA-256 lisible pour cette archive.",
        "artifact.no_checksum": "Pas d'empreinte à côté de {name} ({name}.sha256) : "
        "déposez-la, ou donnez-la avec sha256=EMPREINTE.",
        "artifact.missing": "Archive {name} introuvable dans le dépôt {where}.",
        "artifact.too_big": "L'archive {name} dépasse {limit} Mo.",
        "artifact.unreachable": "Le dépôt d'artefacts ne répond pas.",
        "artifact.timeout": "Le dépôt d'artefacts met trop de temps à répondre.",
        "artifact.refused": "Le dépôt d'artefacts refuse l'accès (HTTP {status}) : "
        "vérifiez BATCHOPS_ARTIFACTS_USER et BATCHOPS_ARTIFACTS_PASSWORD.",
        "artifact.http": "Le dépôt d'artefacts répond HTTP {status}.",
        "package.not_zip": "L'archive n'est pas un fichier zip lisible.",
        "package.unsafe": "L'archive contient « {entry} », qui sortirait du "
        "dossier d'exécution : elle n'est pas déployée.",
        "package.no_executable": "L'archive ne contient aucun .exe.",
        "package.many_executables": "L'archive contient plusieurs exécutables "
        "({found}) et aucun ne s'appelle {batch}.exe.",
        "package.no_config": "L'archive n'a pas de fichier .config à côté de "
        "{executable}.",
        "package.bad_config": "Le fichier .config n'est pas un XML "
        "<configuration> lisible ({reason}).",
    },
    "en": {
        "deploy.usage": "Usage: /batch deploy BATCH to ENVIRONMENT [on SERVER] "
        "[ARCHIVE.zip] [SCHEDULE] [client=NAME] [category=CATEGORY] "
        "[sha256=CHECKSUM]. Environments: RecetteInterne, then RecetteClient, "
        "then Production. Schedule: daily 02:30, weekly mon,thu 06:00, "
        "monthly 1,15 03:00 or monthly last 23:00.",
        "deploy.bad_batch": '“{word}” cannot name a batch: no \\ / : * ? " < > |, '
        "no dot or space at the end.",
        "deploy.bad_environment": "“{word}” is not an environment: "
        "RecetteInterne, RecetteClient or Production.",
        "deploy.unknown_word": "I don't understand “{word}”. Type "
        "/batch help deploy for the usage.",
        "deploy.bad_category": "“{word}” is not a category: send, import, "
        "export, purge or recurring.",
        "deploy.bad_sha256": "“{word}” is not a SHA-256 checksum (64 hex characters).",
        "deploy.unknown_server": "No server “{server}”: batchops servers list "
        "shows those declared.",
        "deploy.server_elsewhere": "{server} does not host {environment}, only: "
        "{hosts}.",
        "deploy.which_server": "Which server should {batch} go to in "
        "{environment}? Say “on SERVER”, one of: {choices}.",
        "deploy.skipped": "{batch} cannot go to {environment}: it has no copy "
        "in {earlier}. Environments go RecetteInterne, RecetteClient, then "
        "Production.",
        "deploy.not_ran": "{batch} cannot go to Production: its RecetteClient "
        "copy on {server} has not run since it was deployed (no task run, "
        "heartbeat or log line).",
        "deploy.ran_badly": "{batch} cannot go to Production: its last run in "
        "RecetteClient on {server} failed. Fix it and have it run well first.",
        "deploy.would_replace": "{server} already holds the {holds} copy of "
        "{batch}: deploying {environment} there would replace it. Pick another "
        "server with “on SERVER”.",
        "deploy.other_artifact": "{batch} may only go to Production with the "
        "archive that ran in {environment}: {ran} ({ran_sha256}…), not "
        "{artifact} ({sha256}…).",
        "deploy.needs_client": "{batch} is new: name its client with "
        'client="CLIENT NAME".',
        "deploy.unknown_client": "No client “{client}”. Declare it: "
        'batchops clients set "{client}" --domain DOMAIN',
        "deploy.no_domain": "Client {client} has no domain for the launcher to "
        'pass to the batch: batchops clients set "{client}" --domain DOMAIN',
        "deploy.bad_domain": "Client {client}'s domain is not one: “{domain}”.",
        "deploy.needs_artifact": "Which archive should {batch} get? Give its "
        "name in the repository, for example {batch}-1.0.0.zip.",
        "deploy.needs_schedule": "When should {batch} run? Give a schedule: "
        "daily 02:30, weekly mon,thu 06:00 or monthly 1,15 03:00.",
        "deploy.task_description": "{batch}, deployed by batchops.",
        "deploy.why": "deployed to {environment} by {who} (archive {artifact}, "
        "SHA-256 {sha256}…), confirmed by {confirmed}",
        "disable.usage": "Usage: /batch disable BATCH [reason] (or SERVER/BATCH).",
        "enable.usage": "Usage: /batch enable BATCH (or SERVER/BATCH).",
        "disable.already": "{batch} ({server}) is already disabled: nothing changes.",
        "disable.inactive": "{batch} ({server}) is inactive: its task is gone "
        "from the server, there is nothing to disable.",
        "enable.already": "{batch} ({server}) is already enabled: nothing changes.",
        "enable.inactive": "{batch} ({server}) is inactive: its task is gone "
        "from the server. Deploy it again.",
        "disable.why": "disabled from the chat by {who}",
        "enable.why": "enabled again from the chat by {who}",
        "plan.unknown_batch": "No batch “{name}” in the inventory.",
        "plan.ambiguous": "Several batches are called “{name}”: say which, one "
        "of {choices}.",
        "plan.nothing.title": "Nothing to do",
        "plan.title.deploy": "Deploy {batch} to {environment}?",
        "plan.title.disable": "Disable {batch}?",
        "plan.title.enable": "Enable {batch}?",
        "plan.running.deploy": "Deploying {batch} to {environment}",
        "plan.running.disable": "Disabling {batch}",
        "plan.running.enable": "Enabling {batch}",
        "plan.done.deploy": "✅ {batch} deployed to {environment}",
        "plan.done.disable": "✅ {batch} disabled",
        "plan.done.enable": "✅ {batch} enabled",
        "plan.failed.deploy": "❌ Deploying {batch} to {environment} failed",
        "plan.failed.disable": "❌ Disabling {batch} failed",
        "plan.failed.enable": "❌ Enabling {batch} failed",
        "plan.cancelled.title": "Cancelled: {batch}",
        "plan.sub.preview": "On {server} — asked by {who} — confirm before {until}",
        "plan.sub.waiting": "On {server} — confirmed by {who} — a second admin "
        "must confirm before {until}",
        "plan.sub.running": "On {server} — confirmed by {who}",
        "plan.sub.asked": "On {server} — asked by {who}",
        "plan.field.batch": "Batch",
        "plan.field.client": "Client",
        "plan.field.environment": "Environment",
        "plan.field.server": "Server",
        "plan.field.artifact": "Archive",
        "plan.field.schedule": "Schedule",
        "plan.field.state": "State",
        "plan.field.reason": "Reason",
        "plan.steps": "Steps:",
        "plan.step.line": "{icon} {number}. [{where}] {what}",
        "plan.step.fetch_artifact": "Fetch the archive {artifact} ({size}) from "
        "{source} and check its SHA-256 {sha256}",
        "plan.step.set_aside": "Set the version in place aside, if any: {path} → "
        "{aside}",
        "plan.step.make_folder.execution": "Create the execution folder {path}",
        "plan.step.make_folder.logs": "Create the log folder {path}",
        "plan.step.unpack": "Put the archive there and unpack it into {path} "
        "({files} files)",
        "plan.step.configure": "Set {path}: {settings}",
        "plan.step.write_launcher": "Write the launcher {path}: "
        "DOTNET_ENVIRONMENT and ASPNETCORE_ENVIRONMENT = {environment}, runs "
        '"{executable}" for the domain {domain}',
        "plan.step.register_task": "Register the scheduled task {task}: {schedule}",
        "plan.step.record_deploy": "Enter the batch in the inventory "
        "({environment}, {client}, {category}, ready), record the status change "
        "and tell the project manager",
        "plan.step.set_task_state.disable": "Disable the scheduled task {task}",
        "plan.step.set_task_state.enable": "Enable the scheduled task {task}",
        "plan.step.record_state": "Set the batch to {state} in the inventory, "
        "record the change and tell the project manager",
        "plan.replaces": "Replaces the {environment} copy on this server (state "
        "{state}).",
        "plan.ran": "Ran in {environment} on {server}: {source} at {when}.",
        "plan.ran.task": "a run of its task",
        "plan.ran.heartbeat": "an end heartbeat",
        "plan.ran.log": "a log without errors",
        "plan.go_live": "Go-live: a second admin must confirm.",
        "plan.confirm": "Confirm",
        "plan.confirm_second": "Confirm (second admin)",
        "plan.cancel": "Cancel",
        "plan.failed.text": "Step {number} ({what}) failed: {reason}",
        "plan.failed.undone": "What the deploy had made was undone.",
        "plan.failed.undo_failed": "Some steps could not be undone (⚠️): check "
        "the server by hand.",
        "plan.done.text": "Status change recorded; the channel and the project "
        "manager are told.",
        "plan.cancelled.text": "Cancelled by {who} at {when}.",
        "plan.internal": "internal error (ref. {ref}, see batchops' log)",
        "plan.bad_token": "This button is not valid (wrong or altered "
        "signature): run the command again.",
        "plan.expired": "This plan expired at {when}: run the command again for "
        "a new one.",
        "plan.gone": "This plan no longer exists: run the command again.",
        "plan.changed": "The plan changed since the preview: {detail} Run the "
        "command again to see the new plan.",
        "plan.changed.detail": "the inventory, the server or the archive are "
        "no longer those of the preview.",
        "plan.not_yours": "Only {name}, who asked for this plan, may confirm or "
        "cancel it.",
        "plan.second_other": "A go-live needs the confirmation of a second "
        "admin, other than {names}.",
        "plan.second_needed": "You confirmed already: a second admin must confirm now.",
        "plan.status.running": "This plan is running already.",
        "plan.status.done": "This plan was carried out already.",
        "plan.status.failed": "This plan was tried and failed: run the command again.",
        "plan.status.cancelled": "This plan was cancelled.",
        "plan.taken": "Another click has just handled this plan.",
        "schedule.daily": "every day at {at}",
        "schedule.weekly": "every week on {days} at {at}",
        "schedule.monthly": "every month on day {days} at {at}",
        "schedule.every_days": "every {count} days at {at}",
        "schedule.monthly_dow": "every month, week(s) {weeks}, on {days} at {at}",
        "schedule.other": "{kind} trigger at {at}",
        "schedule.last": "last",
        "schedule.incomplete": "“{word}” needs a day and a time: daily 02:30, "
        "weekly mon,thu 06:00, monthly 1,15 03:00.",
        "schedule.bad_time": "“{word}” is not a time (02:30).",
        "schedule.bad_day": "“{word}” is not a day of the week (mon, tue…).",
        "schedule.bad_month_day": "“{word}” is not a day of the month (1 to 31, "
        "or last).",
        "day.Monday": "Mon",
        "day.Tuesday": "Tue",
        "day.Wednesday": "Wed",
        "day.Thursday": "Thu",
        "day.Friday": "Fri",
        "day.Saturday": "Sat",
        "day.Sunday": "Sun",
        "artifact.bad_name": "“{name}” is not an archive name: a path inside "
        "the repository, ending in .zip, without “..”.",
        "artifact.mismatch": "The archive {name} does not match its SHA-256: "
        "expected {expected}…, got {found}…. It is not deployed.",
        "artifact.bad_checksum": "{name}.sha256 holds no readable SHA-256 for "
        "this archive.",
        "artifact.no_checksum": "No checksum next to {name} ({name}.sha256): put "
        "one there, or give it with sha256=CHECKSUM.",
        "artifact.missing": "Archive {name} not found in the repository {where}.",
        "artifact.too_big": "The archive {name} is bigger than {limit} MB.",
        "artifact.unreachable": "The artifact repository does not answer.",
        "artifact.timeout": "The artifact repository takes too long to answer.",
        "artifact.refused": "The artifact repository refuses access (HTTP "
        "{status}): check BATCHOPS_ARTIFACTS_USER and BATCHOPS_ARTIFACTS_PASSWORD.",
        "artifact.http": "The artifact repository answered HTTP {status}.",
        "package.not_zip": "The archive is not a readable zip file.",
        "package.unsafe": "The archive holds “{entry}”, which would land outside "
        "the execution folder: it is not deployed.",
        "package.no_executable": "The archive holds no .exe.",
        "package.many_executables": "The archive holds several executables "
        "({found}) and none is called {batch}.exe.",
        "package.no_config": "The archive has no .config file beside {executable}.",
        "package.bad_config": "The .config file is not a readable XML "
        "<configuration> ({reason}).",
    },
}
