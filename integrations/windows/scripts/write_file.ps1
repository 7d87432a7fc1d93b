# Writes a whole file from base64 data, creating its folder when missing. The
# bytes go to a temporary file first so a reader never sees half a file.
param(
    [Parameter(Mandatory = $true)][string]$Path,
    [Parameter(Mandatory = $true)][AllowEmptyString()][string]$DataBase64
)
$ErrorActionPreference = 'Stop'

$folder = [System.IO.Path]::GetDirectoryName($Path)
if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
    New-Item -ItemType Directory -Path $folder | Out-Null
}
$bytes = [System.Convert]::FromBase64String($DataBase64)
$temporary = $Path + '.batchops-tmp'
[System.IO.File]::WriteAllBytes($temporary, $bytes)
Move-Item -LiteralPath $temporary -Destination $Path -Force
ConvertTo-Json -InputObject ([ordered]@{ path = $Path; size = $bytes.Length }) -Compress
