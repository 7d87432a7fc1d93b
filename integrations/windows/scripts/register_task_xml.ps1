# Registers (or replaces) a task from its XML definition. New-ScheduledTaskTrigger
# has no monthly trigger, so every task is registered from XML.
param(
    [Parameter(Mandatory = $true)][string]$TaskPath,
    [Parameter(Mandatory = $true)][string]$TaskName,
    [Parameter(Mandatory = $true)][string]$Xml
)
$ErrorActionPreference = 'Stop'

$task = Register-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName -Xml $Xml -Force
$record = [ordered]@{ name = $task.TaskName; path = $task.TaskPath; state = [string]$task.State }
ConvertTo-Json -InputObject $record -Compress
