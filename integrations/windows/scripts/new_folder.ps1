# Creates a folder and its parents, and says whether it was missing: undoing
# a deploy removes only the folders the deploy made.
param(
    [Parameter(Mandatory = $true)][string]$Path
)
$ErrorActionPreference = 'Stop'

$created = -not (Test-Path -LiteralPath $Path -PathType Container)
if ($created) {
    New-Item -ItemType Directory -Path $Path -Force | Out-Null
}
ConvertTo-Json -InputObject ([ordered]@{ path = $Path; created = $created }) -Compress
