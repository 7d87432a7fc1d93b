# Unpacks a zip archive into a folder and counts the files it now holds.
# batchops checked the archive's checksum and entry names before sending it.
param(
    [Parameter(Mandatory = $true)][string]$ArchivePath,
    [Parameter(Mandatory = $true)][string]$Destination
)
$ErrorActionPreference = 'Stop'

Expand-Archive -LiteralPath $ArchivePath -DestinationPath $Destination -Force
$count = @(Get-ChildItem -LiteralPath $Destination -Recurse -File).Count
ConvertTo-Json -InputObject ([ordered]@{ path = $Destination; files = $count }) -Compress
