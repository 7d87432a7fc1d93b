# Lists the scheduled tasks of one task folder with their actions, triggers
# and last run, as one JSON document: {"tasks": [...]}.
param(
    [Parameter(Mandatory = $true)][string]$TaskPath
)
$ErrorActionPreference = 'Stop'

$dayNames = 'Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'

function Format-Time($value) {
    if ($null -eq $value) { return $null }
    # Task Scheduler keeps local times; UTC with its 'Z' travels unambiguously.
    return ([datetime]$value).ToUniversalTime().ToString('o')
}

function Get-DayNames($mask) {
    if ($null -eq $mask) { return ,@() }
    $names = @(for ($i = 0; $i -lt 7; $i++) {
        if ([int]$mask -band (1 -shl $i)) { $dayNames[$i] }
    })
    return ,$names
}

function ConvertTo-ActionRecord($action) {
    return [ordered]@{
        kind              = $action.CimClass.CimClassName -replace '^MSFT_Task|Action$', ''
        execute           = $action.Execute
        arguments         = $action.Arguments
        working_directory = $action.WorkingDirectory
    }
}

function ConvertTo-TriggerRecord($trigger) {
    $kind = $trigger.CimClass.CimClassName -replace '^MSFT_Task|Trigger$', ''
    $record = [ordered]@{
        kind                = if ($kind) { $kind } else { 'Other' }
        enabled             = [bool]$trigger.Enabled
        start               = $trigger.StartBoundary
        end                 = $trigger.EndBoundary
        days_interval       = $trigger.DaysInterval
        weeks_interval      = $trigger.WeeksInterval
        days_of_week        = Get-DayNames $trigger.DaysOfWeek
        repetition_interval = $null
        repetition_duration = $null
    }
    if ($trigger.Repetition) {
        $record.repetition_interval = $trigger.Repetition.Interval
        $record.repetition_duration = $trigger.Repetition.Duration
    }
    return $record
}

function ConvertTo-TaskRecord($task) {
    $info = Get-ScheduledTaskInfo -InputObject $task
    $triggers = @($task.Triggers | Where-Object { $_ } | ForEach-Object { ConvertTo-TriggerRecord $_ })
    $record = [ordered]@{
        name                  = $task.TaskName
        path                  = $task.TaskPath
        state                 = [string]$task.State
        description           = $task.Description
        actions               = @($task.Actions | Where-Object { $_ } | ForEach-Object { ConvertTo-ActionRecord $_ })
        triggers              = $triggers
        last_run_time         = Format-Time $info.LastRunTime
        last_task_result      = $info.LastTaskResult
        next_run_time         = Format-Time $info.NextRunTime
        number_of_missed_runs = $info.NumberOfMissedRuns
        xml                   = $null
    }
    # The CIM classes do not describe monthly triggers: send the task XML so
    # the caller can read them there.
    if (@($triggers | Where-Object { $_.kind -eq 'Other' }).Count -gt 0) {
        $record.xml = Export-ScheduledTask -TaskName $task.TaskName -TaskPath $task.TaskPath
    }
    return $record
}

if (-not $TaskPath.StartsWith('\')) { $TaskPath = '\' + $TaskPath }
if (-not $TaskPath.EndsWith('\')) { $TaskPath = $TaskPath + '\' }

try {
    $tasks = @(Get-ScheduledTask -TaskPath $TaskPath)
} catch [Microsoft.Management.Infrastructure.CimException] {
    # An empty or missing folder is reported as "no objects found".
    if ($_.Exception.NativeErrorCode -ne 'NotFound') { throw }
    $tasks = @()
}

$records = @($tasks | ForEach-Object { ConvertTo-TaskRecord $_ })
ConvertTo-Json -InputObject ([ordered]@{ tasks = $records }) -Depth 6 -Compress
