# The XML and state of one scheduled task, or nulls when there is no such
# task: undoing a deploy puts a replaced task back as it was.
param(
    [Parameter(Mandatory = $true)][string]$TaskPath,
    [Parameter(Mandatory = $true)][string]$TaskName
)
$ErrorActionPreference = 'Stop'

$task = Get-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName -ErrorAction SilentlyContinue
$record = [ordered]@{ name = $TaskName; path = $TaskPath; xml = $null; state = $null }
if ($null -ne $task) {
    $record.xml = Export-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName
    $record.state = [string]$task.State
}
ConvertTo-Json -InputObject $record -Compress
