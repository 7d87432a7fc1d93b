# Removes a file, or a folder with all it holds; a path already gone is no
# error, so an undo can be run again.
param(
    [Parameter(Mandatory = $true)][string]$Path
)
$ErrorActionPreference = 'Stop'

$removed = Test-Path -LiteralPath $Path
if ($removed) {
    Remove-Item -LiteralPath $Path -Recurse -Force
}
ConvertTo-Json -InputObject ([ordered]@{ path = $Path; removed = $removed }) -Compress
