# Renames a file or a folder; says so when there was nothing to move. An
# existing destination is refused: Move-Item would move the source inside it.
param(
    [Parameter(Mandatory = $true)][string]$Source,
    [Parameter(Mandatory = $true)][string]$Destination
)
$ErrorActionPreference = 'Stop'

if (Test-Path -LiteralPath $Destination) {
    throw "destination already exists: $Destination"
}
$moved = Test-Path -LiteralPath $Source
if ($moved) {
    Move-Item -LiteralPath $Source -Destination $Destination
}
ConvertTo-Json -InputObject ([ordered]@{ path = $Destination; moved = $moved }) -Compress
