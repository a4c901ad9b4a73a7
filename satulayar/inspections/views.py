def inspection_list(request):
    pass
