# Starts one scheduled task now and prints its state just after.
param(
    [Parameter(Mandatory = $true)][string]$TaskPath,
    [Parameter(Mandatory = $true)][string]$TaskName
)
$ErrorActionPreference = 'Stop'

Start-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName
$task = Get-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName
$record = [ordered]@{ name = $task.TaskName; path = $task.TaskPath; state = [string]$task.State }
ConvertTo-Json -InputObject $record -Compress
