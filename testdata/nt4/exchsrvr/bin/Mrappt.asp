<%@ LANGUAGE=VBScript %>
<% ' verfix test data: stand-in for an Outlook Web Access page (invented content) %>
<% ' Exchange Server 5.5 SP3 example folder %>
<html><body><p>Mrappt</p></body></html>
