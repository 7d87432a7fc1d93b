# Lists the files of one folder whose names match a wildcard pattern.
param(
    [Parameter(Mandatory = $true)][string]$Folder,
    [Parameter(Mandatory = $true)][string]$Pattern
)
$ErrorActionPreference = 'Stop'

if (-not (Test-Path -LiteralPath $Folder -PathType Container)) {
    throw "folder not found: $Folder"
}
$files = @(Get-ChildItem -LiteralPath $Folder -File | Where-Object { $_.Name -like $Pattern } | Sort-Object Name | ForEach-Object {
    [ordered]@{
        path     = $_.FullName
        size     = $_.Length
        created  = $_.CreationTimeUtc.ToString('o')
        modified = $_.LastWriteTimeUtc.ToString('o')
    }
})
ConvertTo-Json -InputObject ([ordered]@{ files = $files }) -Depth 4 -Compress
