# Reads the new bytes of many log files in one call. Each file is opened with
# read, write and delete sharing so the batch writing it, and its log
# rotation, are never blocked. Prints {"results": [...]}, data in base64.
param(
    [Parameter(Mandatory = $true)][string]$RequestsJson,
    [int]$HeadBytes = 1024,
    [long]$MaxTotalBytes = 16777216
)
$ErrorActionPreference = 'Stop'

$script:budget = $MaxTotalBytes
$sha256 = [System.Security.Cryptography.SHA256]::Create()
$sharing = [System.IO.FileShare]'ReadWrite, Delete'

function Format-Time($value) {
    if ($null -eq $value) { return $null }
    return $value.ToUniversalTime().ToString('o')
}

function Get-ReadError($errorRecord) {
    $exception = $errorRecord.Exception
    if ($exception.InnerException) { $exception = $exception.InnerException }
    if ($exception -is [System.IO.FileNotFoundException]) { return 'file not found' }
    if ($exception -is [System.IO.DirectoryNotFoundException]) { return 'folder not found' }
    if ($exception -is [System.UnauthorizedAccessException]) { return 'access denied' }
    if ($exception -is [System.IO.IOException]) { return 'file locked' }
    return 'read failed'
}

function Read-Bytes($stream, [long]$start, [int]$count) {
    $buffer = New-Object byte[] $count
    [void]$stream.Seek($start, [System.IO.SeekOrigin]::Begin)
    $total = 0
    while ($total -lt $count) {
        $read = $stream.Read($buffer, $total, $count - $total)
        if ($read -eq 0) { break }
        $total += $read
    }
    return ,@($buffer, $total)
}

function Get-HeadHash($stream, [int]$length) {
    $head = Read-Bytes $stream 0 $length
    $hash = $sha256.ComputeHash($head[0], 0, $head[1])
    return ([System.BitConverter]::ToString($hash) -replace '-', '').ToLowerInvariant()
}

function Test-SameFile($stream, $request) {
    $size = $stream.Length
    if ($size -lt [long]$request.offset) { return $false }
    if (-not $request.head_hash -or [int]$request.head_length -le 0) { return $true }
    if ($size -lt [int]$request.head_length) { return $false }
    return (Get-HeadHash $stream ([int]$request.head_length)) -eq $request.head_hash
}

function Read-Chunk($path, $request) {
    $result = [ordered]@{
        path = $path; start = 0; data = ''; size = 0; head_hash = $null; head_length = 0
        created = $null; modified = $null; replaced = $false; error = $null
    }
    try {
        $stream = [System.IO.File]::Open($path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, $sharing)
    } catch {
        $result.error = Get-ReadError $_
        return $result
    }
    try {
        $info = New-Object System.IO.FileInfo $path
        $size = $stream.Length
        $same = Test-SameFile $stream $request
        $start = if ($same) { [long]$request.offset } else { [long]0 }
        $count = [Math]::Min([Math]::Min([long]$request.max_bytes, $size - $start), $script:budget)
        $chunk = Read-Bytes $stream $start ([int][Math]::Max($count, 0))
        $script:budget -= $chunk[1]
        $headLength = [int][Math]::Min([long]$HeadBytes, $size)

        $result.start = $start
        $result.data = [System.Convert]::ToBase64String($chunk[0], 0, $chunk[1])
        $result.size = $size
        $result.head_hash = Get-HeadHash $stream $headLength
        $result.head_length = $headLength
        $result.created = Format-Time $info.CreationTimeUtc
        $result.modified = Format-Time $info.LastWriteTimeUtc
        $result.replaced = -not $same
    } catch {
        $result.error = Get-ReadError $_
    } finally {
        $stream.Dispose()
    }
    return $result
}

function Read-Folder($request) {
    $folder = $request.path
    if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
        $missing = [ordered]@{ path = $folder; start = 0; data = ''; size = 0; error = 'folder not found' }
        return ,@($missing)
    }
    $known = @{}
    foreach ($file in @($request.known)) {
        if ($file) { $known[$file.path.ToLowerInvariant()] = $file }
    }
    $since = $null
    if ($null -ne $request.since_unix_ms) {
        $since = [DateTimeOffset]::FromUnixTimeMilliseconds([long]$request.since_unix_ms).UtcDateTime
    }
    $matching = @(Get-ChildItem -LiteralPath $folder -File | Where-Object { $_.Name -like $request.pattern } | Sort-Object Name)
    $results = @(foreach ($file in $matching) {
        $checkpoint = $known[$file.FullName.ToLowerInvariant()]
        if ($checkpoint) {
            Read-Chunk $file.FullName $checkpoint
        } elseif ($null -eq $since -or $file.LastWriteTimeUtc -ge $since) {
            Read-Chunk $file.FullName ([pscustomobject]@{ offset = 0; head_hash = $null; head_length = 0; max_bytes = $request.max_bytes })
        }
    })
    return ,$results
}

$document = ConvertFrom-Json -InputObject $RequestsJson
$results = New-Object System.Collections.Generic.List[object]
foreach ($request in @($document.requests)) {
    if ($request.pattern) {
        foreach ($result in (Read-Folder $request)) { $results.Add($result) }
    } else {
        $results.Add((Read-Chunk $request.path $request))
    }
}
ConvertTo-Json -InputObject ([ordered]@{ results = $results.ToArray() }) -Depth 6 -Compress
