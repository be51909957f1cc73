; verfix test data: stand-in for an X.400 address template (invented content)
; Exchange Server 5.5 SP3 example folder
[Template]
Name=P772
Fields=4
