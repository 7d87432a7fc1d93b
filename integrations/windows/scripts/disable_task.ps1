# Disables one scheduled task and prints its new state. A running instance
# keeps running: disabling only stops future starts.
param(
    [Parameter(Mandatory = $true)][string]$TaskPath,
    [Parameter(Mandatory = $true)][string]$TaskName
)
$ErrorActionPreference = 'Stop'

$task = Disable-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName
$record = [ordered]@{ name = $task.TaskName; path = $task.TaskPath; state = [string]$task.State }
ConvertTo-Json -InputObject $record -Compress
