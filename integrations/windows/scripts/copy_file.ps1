# Copies one file on the server, creating the destination folder when missing.
param(
    [Parameter(Mandatory = $true)][string]$Source,
    [Parameter(Mandatory = $true)][string]$Destination
)
$ErrorActionPreference = 'Stop'

$folder = [System.IO.Path]::GetDirectoryName($Destination)
if (-not (Test-Path -LiteralPath $folder -PathType Container)) {
    New-Item -ItemType Directory -Path $folder | Out-Null
}
Copy-Item -LiteralPath $Source -Destination $Destination -Force
$size = (Get-Item -LiteralPath $Destination).Length
ConvertTo-Json -InputObject ([ordered]@{ path = $Destination; size = $size }) -Compress
