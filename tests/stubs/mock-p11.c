/* placeholder */
int mock_p11_placeholder;
