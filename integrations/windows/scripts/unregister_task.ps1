# Deletes one scheduled task; a task already gone is no error, so an undo can
# be run again.
param(
    [Parameter(Mandatory = $true)][string]$TaskPath,
    [Parameter(Mandatory = $true)][string]$TaskName
)
$ErrorActionPreference = 'Stop'

$task = Get-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName -ErrorAction SilentlyContinue
$removed = $null -ne $task
if ($removed) {
    Unregister-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName -Confirm:$false
}
ConvertTo-Json -InputObject ([ordered]@{ name = $TaskName; removed = $removed }) -Compress
