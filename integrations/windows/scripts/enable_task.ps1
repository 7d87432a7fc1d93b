# Enables one scheduled task and prints its new state.
param(
    [Parameter(Mandatory = $true)][string]$TaskPath,
    [Parameter(Mandatory = $true)][string]$TaskName
)
$ErrorActionPreference = 'Stop'

$task = Enable-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName
$record = [ordered]@{ name = $task.TaskName; path = $task.TaskPath; state = [string]$task.State }
ConvertTo-Json -InputObject $record -Compress
